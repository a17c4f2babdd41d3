package com.guestops.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.support.ContractValidation;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.builder.ResponseBuilder;
import io.restassured.filter.OrderedFilter;
import io.restassured.http.Header;
import io.restassured.http.Headers;
import io.restassured.response.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The response validation of {@link ContractValidation} is really on: registered for every test without
 * the test asking, it lets conforming answers pass, fails a test that sees an answer the OpenAPI document
 * does not allow, and leaves deliberately invalid requests alone.
 */
@QuarkusTest
class ContractValidationTest {

    private static final String API = "/api/vcenter/vm/vm-1/guest/processes/1000";
    private static final String REST = "/rest/vcenter/vm/vm-1/guest/processes/1000";
    private static final String ID = "X-Request-Id";

    /** An answer made up by the test, returned in place of the gateway's (the request never leaves). */
    record Made(String why, String path, int status, String contentType, String body, Map<String, String> headers) {
        @Override
        public String toString() {
            return why;
        }

        OrderedFilter asFilter() {
            return new OrderedFilter() {
                @Override
                public Response filter(io.restassured.specification.FilterableRequestSpecification request,
                        io.restassured.specification.FilterableResponseSpecification response,
                        io.restassured.filter.FilterContext context) {
                    List<Header> list = new ArrayList<>();
                    headers.forEach((name, value) -> list.add(new Header(name, value)));
                    ResponseBuilder answer = new ResponseBuilder().setStatusCode(status).setHeaders(new Headers(list))
                            .setBody(body == null ? "" : body);
                    if (contentType != null) {
                        answer.setContentType(contentType);
                    }
                    return answer.build();
                }

                @Override
                public int getOrder() {
                    return LOWEST_PRECEDENCE; // innermost: the contract filter judges what it returns
                }
            };
        }

        Response send() {
            return given().filter(asFilter()).contentType("application/json").body(VapiCall.ROOT)
                    .queryParam("action", "delete").post(path);
        }
    }

    static Stream<Arguments> answersThatBreakTheContract() {
        String msg = "{\"id\":\"x\",\"default_message\":\"x\",\"args\":[]}";
        return Stream.of(
                Arguments.of(new Made("/api 200 without the process (get's answer)", API, 200, null, "", Map.of(ID, "r-1")),
                        "validation.response.body.missing"),
                Arguments.of(new Made("/api success with 202", API, 202, null, "", Map.of(ID, "r-1")),
                        "validation.response.status.unknown"),
                Arguments.of(new Made("/rest success with 204", REST, 204, null, "", Map.of(ID, "r-1")),
                        "validation.response.status.unknown"),
                Arguments.of(new Made("success without X-Request-Id", API, 204, null, "", Map.of()),
                        "validation.response.header.missing"),
                Arguments.of(new Made("404 that says RESOURCE_BUSY", API, 404, "application/json",
                        "{\"error_type\":\"RESOURCE_BUSY\",\"messages\":[]}", Map.of(ID, "r-1")),
                        "validation.response.body.schema.enum"),
                Arguments.of(new Made("/rest error in the /api shape", REST, 404, "application/json",
                        "{\"error_type\":\"NOT_FOUND\",\"messages\":[]}", Map.of(ID, "r-1")),
                        "validation.response.body.schema"),
                Arguments.of(new Made("error without messages", API, 400, "application/json",
                        "{\"error_type\":\"INVALID_ARGUMENT\"}", Map.of(ID, "r-1")),
                        "validation.response.body.schema.required"),
                Arguments.of(new Made("message without args", API, 400, "application/json",
                        "{\"error_type\":\"INVALID_ARGUMENT\",\"messages\":[{\"id\":\"x\",\"default_message\":\"x\"}]}",
                        Map.of(ID, "r-1")), "validation.response.body.schema.required"),
                Arguments.of(new Made("error with a field the contract does not know", API, 503, "application/json",
                        "{\"error_type\":\"SERVICE_UNAVAILABLE\",\"messages\":[" + msg + "],\"stack\":\"at x.y\"}",
                        Map.of(ID, "r-1")), "validation.response.body.schema.additionalProperties"),
                Arguments.of(new Made("challenge outside a 401", API, 404, "application/json",
                        "{\"error_type\":\"NOT_FOUND\",\"messages\":[],\"challenge\":\"Bearer\"}", Map.of(ID, "r-1")),
                        "validation.response.body.schema.additionalProperties"),
                Arguments.of(new Made("pid in data as a string", REST, 404, "application/json",
                        "{\"type\":\"com.vmware.vapi.std.errors.not_found\",\"value\":{\"messages\":[],\"data\":{\"pid\":\"42\"}}}",
                        Map.of(ID, "r-1")), "validation.response.body.schema.type"),
                Arguments.of(new Made("an HTML error page", API, 500, "text/html", "<html>oops</html>", Map.of(ID, "r-1")),
                        "validation.response.contentType.notAllowed"),
                Arguments.of(new Made("Retry-After that is not a number", API, 503, "application/json",
                        "{\"error_type\":\"SERVICE_UNAVAILABLE\",\"messages\":[]}", Map.of(ID, "r-1", "Retry-After", "soon")),
                        "validation.response.header.schema.type"),
                Arguments.of(new Made("a status the operation never answers", API, 502, "application/json",
                        "{\"error_type\":\"ERROR\",\"messages\":[]}", Map.of(ID, "r-1")),
                        "validation.response.status.unknown"));
    }

    @Test
    void registeredForEveryQuarkusTestWithoutTheTestAsking() {
        assertThat(RestAssured.filters()).contains(ContractValidation.FILTER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersThatBreakTheContract")
    void anAnswerThatBreaksTheContractFailsTheTest(Made answer, String problem) {
        assertThatThrownBy(answer::send)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("breaks the OpenAPI contract")
                .hasMessageContaining(problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersThatBreakTheContract")
    void theSameHoldsForAnswersReadWithoutRestAssured(Made answer, String problem) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        answer.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        if (answer.contentType() != null) {
            headers.put("Content-Type", List.of(answer.contentType()));
        }
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + answer.path() + "?action=delete");
        assertThatThrownBy(() -> ContractValidation.check("POST", uri, answer.status(), headers, answer.body()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(problem);
    }

    /** The made-up answers fail for what they say, not for being made up: conforming ones pass. */
    @Test
    void madeUpAnswersThatConformPass() {
        String error = "{\"error_type\":\"NOT_FOUND\",\"messages\":[{\"id\":\"x\",\"default_message\":\"x\",\"args\":[\"a\"]}],"
                + "\"data\":{\"pid\":1000}}";
        assertThat(new Made("/api success", API, 204, null, "", Map.of(ID, "r-1")).send().statusCode()).isEqualTo(204);
        assertThat(new Made("/rest success", REST, 200, null, "", Map.of(ID, "r-1")).send().statusCode()).isEqualTo(200);
        assertThat(new Made("/api not found", API, 404, "application/json", error, Map.of(ID, "r-1")).send().statusCode())
                .isEqualTo(404);
        assertThat(new Made("/api breaker open", API, 503, "application/json",
                "{\"error_type\":\"SERVICE_UNAVAILABLE\",\"messages\":[]}", Map.of(ID, "r-1", "Retry-After", "5"))
                .send().statusCode()).isEqualTo(503);
    }

    /** Requests are not judged: a test may send anything, and the gateway's answer is what is checked. */
    @Test
    void deliberatelyInvalidRequestsReachTheGateway() {
        Response answer = given().urlEncodingEnabled(false)
                .header("X-Request-Timeout", "soon").contentType("text/plain").body("kill it")
                .post("/api/vcenter/vm/vm%201/guest/processes/abc?action=kill&action=delete");
        assertThat(answer.statusCode()).isEqualTo(401); // no token: refused first, and still a conforming answer
        VapiCall.delete(Flavour.REST, "vm%201", "abc").rawQuery("action=kill").header("X-Request-Timeout", "soon")
                .contentType("text/plain").body("kill it").send()
                .assertError(400, com.guestops.gateway.error.ErrorType.INVALID_ARGUMENT);
    }
}
