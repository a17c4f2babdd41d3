package com.guestops.gateway.support;

import static io.restassured.RestAssured.given;

import com.guestops.gateway.api.Flavour;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one terminate (or process lookup) call in either flavour and sends it through HTTP. Every call carries a valid
 * bearer token ({@link TestTokens#suite()}) unless the test says otherwise ({@link #token}, {@link #authorization},
 * {@link #noAuthorization}).
 */
public final class VapiCall {

    public static final String ROOT = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\",\"interactive_session\":false}}";
    public static final String GUEST = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"guest\",\"password\":\"guest\"}}";
    public static final String SAML = "{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"user_name\":\"root\",\"saml_token\":\"demo-saml-token\"}}";

    private final Flavour flavour;
    private final String vm;
    private final String pid;
    private String body = ROOT;
    private String contentType = "application/json";
    private final Map<String, String> query = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String rawQuery;
    private String authorization = "Bearer " + TestTokens.suite();

    private VapiCall(Flavour flavour, String vm, String pid) {
        this.flavour = flavour;
        this.vm = vm;
        this.pid = pid;
        query.put("action", "delete");
    }

    public static VapiCall delete(Flavour flavour, String vm, long pid) {
        return new VapiCall(flavour, vm, Long.toString(pid));
    }

    public static VapiCall delete(Flavour flavour, String vm, String pid) {
        return new VapiCall(flavour, vm, pid);
    }

    /** The process lookup ({@code action=get}). */
    public static VapiCall get(Flavour flavour, String vm, long pid) {
        VapiCall call = new VapiCall(flavour, vm, Long.toString(pid));
        call.query.put("action", "get");
        return call;
    }

    /** A delete only if the process still has this ETag ({@code If-Match}). */
    public VapiCall ifMatch(String value) {
        return header("If-Match", value);
    }

    public static String path(Flavour flavour) {
        return "/" + flavour.tag() + "/vcenter/vm/{vm}/guest/processes/{pid}";
    }

    public static String usernamePassword(String user, String password) {
        return "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"" + user + "\",\"password\":\"" + password + "\"}}";
    }

    public VapiCall body(String body) {
        this.body = body;
        return this;
    }

    public VapiCall contentType(String contentType) {
        this.contentType = contentType;
        return this;
    }

    public VapiCall header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Sends {@code Authorization: Bearer <jwt>}. */
    public VapiCall token(String jwt) {
        this.authorization = "Bearer " + jwt;
        return this;
    }

    /** Sends this exact {@code Authorization} header value. */
    public VapiCall authorization(String headerValue) {
        this.authorization = headerValue;
        return this;
    }

    /** Sends no {@code Authorization} header. */
    public VapiCall noAuthorization() {
        this.authorization = null;
        return this;
    }

    /** Replaces the whole query string (no {@code action} is added). */
    public VapiCall rawQuery(String rawQuery) {
        this.rawQuery = rawQuery;
        return this;
    }

    public VapiAnswer send() {
        RequestSpecification spec = given().urlEncodingEnabled(true);
        if (contentType != null) {
            spec = spec.contentType(contentType);
        }
        if (body != null) {
            spec = spec.body(body);
        }
        if (authorization != null) {
            spec = spec.header("Authorization", authorization);
        }
        spec = spec.headers(headers);
        String url = path(flavour);
        if (rawQuery != null) {
            url = rawQuery.isEmpty() ? url : url + "?" + rawQuery;
            spec = spec.urlEncodingEnabled(false);
        } else {
            spec = spec.queryParams(query);
        }
        Response response = spec.when().post(url, vm, pid);
        return new VapiAnswer(flavour, response);
    }
}
