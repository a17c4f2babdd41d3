package com.guestops.gateway.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks every answer the tests get from the gateway against the gateway's own OpenAPI document, as the
 * running application serves it at {@code /q/openapi}: a drift between behaviour and contract fails the
 * test that saw it.
 *
 * <p>Only responses are judged. Requests are not: many tests send invalid requests on purpose, and what
 * the gateway answers to them is exactly what must conform. A request to a path or method the document
 * does not describe has no response contract to check (the gateway's {@code operation_not_found}).
 *
 * <p>It is a REST Assured filter registered once for every {@code @QuarkusTest}
 * ({@link ContractValidationCallback}); tests that talk HTTP without REST Assured call {@link #check}.
 */
public final class ContractValidation implements OrderedFilter {

    /** The one filter, in {@code RestAssured.filters()} for every test. */
    public static final ContractValidation FILTER = new ContractValidation();

    private static volatile OpenApiInteractionValidator validator;
    private static volatile String documentBase;

    private ContractValidation() {
    }

    /** Outermost, so that it judges the response the test finally sees. */
    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        // not request.getURI(): it fails on the unencoded paths some tests send on purpose
        URI base = URI.create(request.getBaseUri() + ":" + request.getPort());
        ValidationReport report = validator(base).validate(RestAssuredRequest.of(request), RestAssuredResponse.of(response));
        failOnErrors(report, request.getMethod(), request.getDerivedPath(), response.statusCode(), response.asString());
        return response;
    }

    /** The same check for an exchange made with {@code java.net.http} (HTTP/2 tests, the fuzzer). */
    public static void check(HttpRequest request, HttpResponse<String> response) {
        check(request.method(), request.uri(), response.statusCode(), response.headers().map(), response.body());
    }

    /** The same, the document fetched with {@code client} (an HTTPS gateway: a client that trusts its certificate). */
    public static void check(HttpRequest request, HttpResponse<String> response, HttpClient client) {
        URI uri = request.uri();
        ValidationReport report = validator(uri, client).validate(new SimpleRequest.Builder(request.method(), uri.getRawPath()).build(),
                answer(response.statusCode(), response.headers().map(), response.body()));
        failOnErrors(report, request.method(), uri.getRawPath(), response.statusCode(), response.body());
    }

    /** The same check for any answer, made by the gateway or (to show that drift is caught) by a test. */
    public static void check(String method, URI uri, int status, Map<String, List<String>> headers, String body) {
        ValidationReport report = validator(uri).validate(new SimpleRequest.Builder(method, uri.getRawPath()).build(),
                answer(status, headers, body));
        failOnErrors(report, method, uri.getRawPath(), status, body);
    }

    private static SimpleResponse answer(int status, Map<String, List<String>> headers, String body) {
        SimpleResponse.Builder answer = new SimpleResponse.Builder(status);
        headers.forEach(answer::withHeader);
        if (body != null && !body.isEmpty()) {
            answer.withBody(body);
        }
        return answer.build();
    }

    private static void failOnErrors(ValidationReport report, String method, String path, int status, String body) {
        // OpenAPI 3.0 cannot say that one operation's 200 has a body for action=get and none for action=delete
        // (/rest answers both with 200): an empty /rest 200 is the delete's, and whatever body there is is checked
        boolean emptyRestSuccess = status == 200 && path.startsWith("/rest/") && (body == null || body.isEmpty());
        if (report.getMessages().stream().anyMatch(m -> m.getLevel() == ValidationReport.Level.ERROR
                && !(emptyRestSuccess && m.getKey().equals("validation.response.body.missing")))) {
            String problems = report.getMessages().stream()
                    .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                    .map(m -> m.getKey() + ": " + m.getMessage())
                    .collect(Collectors.joining("\n  - ", "\n  - ", ""));
            throw new AssertionError("The answer to " + method + " " + path + " breaks the OpenAPI contract (/q/openapi):"
                    + problems + "\n  status " + status + ", body: " + body);
        }
    }

    /** Built once from the document the running application serves (one Quarkus boot for all tests). */
    private static OpenApiInteractionValidator validator(URI anyRequest) {
        return validator(anyRequest, null);
    }

    private static OpenApiInteractionValidator validator(URI anyRequest, HttpClient client) {
        String base = anyRequest.getScheme() + "://" + anyRequest.getAuthority();
        OpenApiInteractionValidator current = validator;
        if (current == null || !base.equals(documentBase)) {
            synchronized (ContractValidation.class) {
                if (validator == null || !base.equals(documentBase)) {
                    validator = OpenApiInteractionValidator.createForInlineApiSpecification(fetchDocument(base, client))
                            // judge responses only: the tests' deliberately invalid requests are theirs to make
                            .withLevelResolver(LevelResolver.create()
                                    .withLevel("validation.request", ValidationReport.Level.IGNORE)
                                    .build())
                            .build();
                    documentBase = base;
                }
                current = validator;
            }
        }
        return current;
    }

    /** Fetched without REST Assured, so that this filter never runs inside itself. */
    private static String fetchDocument(String base, HttpClient client) {
        try {
            HttpClient http = client != null ? client : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/q/openapi?format=json"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("GET /q/openapi answered " + answer.statusCode());
            }
            return answer.body();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot fetch the OpenAPI document from " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted fetching the OpenAPI document", e);
        }
    }
}
