package com.guestops.gateway.support;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.net.URI;

/**
 * The test application's management interface (health and metrics, {@code quarkus.management.*}), on a port of its
 * own. Its answers are not judged against the OpenAPI document: that document is the public port's contract.
 */
public final class Management {

    private Management() {
    }

    /** The management interface's base URI, e.g. {@code http://localhost:41234}. */
    public static URI uri() {
        return URI.create(TestHTTPResourceManager.getManagementUri());
    }

    public static int port() {
        return uri().getPort();
    }

    /** A REST Assured request to the management port (without the contract filter, see above). */
    public static RequestSpecification given() {
        return RestAssured.given().noFilters().baseUri(uri().getScheme() + "://" + uri().getHost()).port(port());
    }
}
