package com.guestops.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.ContractValidation;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Requests that match no operation still answer in the vAPI shape of their flavour. */
@QuarkusTest
class RoutesTest {

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unknownPathIsOperationNotFound(Flavour f) {
        for (String path : new String[] {"/vcenter/vm/vm-1/guest/processes", "/vcenter/vm/vm-1/guest/processes/1/x", "/nothing"}) {
            VapiAnswer answer = new VapiAnswer(f, given().contentType("application/json").body("{}")
                    .post("/" + f.tag() + path + "?action=delete"));
            answer.assertError(404, ErrorType.OPERATION_NOT_FOUND);
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.operation.not_found");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongMethodIsOperationNotFound(Flavour f) {
        VapiAnswer answer = new VapiAnswer(f, given().get("/" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete"));
        answer.assertError(404, ErrorType.OPERATION_NOT_FOUND);
        assertThat(answer.defaultMessages()).singleElement().asString().contains("GET");
    }

    /**
     * The REST layer the operation once ran behind answered OPTIONS itself (200, {@code Allow: HEAD, POST, OPTIONS},
     * although HEAD was not served): an answer the contract does not have. Every method but POST names no operation.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyMethodButPostIsOperationNotFound(Flavour f) {
        String path = "/" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete";
        for (String method : new String[] {"OPTIONS", "PUT", "DELETE", "PATCH"}) {
            VapiAnswer answer = new VapiAnswer(f, given().contentType("application/json").body("{}").request(method, path));
            answer.assertError(404, ErrorType.OPERATION_NOT_FOUND);
            assertThat(answer.defaultMessages()).singleElement().asString().contains(method);
            assertThat(answer.response().header("Allow")).isNull();
        }
        io.restassured.response.Response head = given().head(path);
        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(head.header("Allow")).isNull();
    }

    /** Found by the fuzzer: an HTTP/2 (h2c) request without a body once failed with a 500 and a stack trace. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void http2RequestsAreAnsweredLikeAnyOther(Flavour f) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        java.net.URI uri = java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                + "/" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete");
        String bearer = "Bearer " + com.guestops.gateway.support.TestTokens.suite();
        var emptyRequest = java.net.http.HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Authorization", bearer)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        var empty = client.send(emptyRequest, java.net.http.HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(emptyRequest, empty);
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
        assertThat(empty.body()).contains("com.guestops.gateway.validation.body.required").doesNotContain("Exception");
        var okRequest = java.net.http.HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Authorization", bearer)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(com.guestops.gateway.support.VapiCall.ROOT)).build();
        var ok = client.send(okRequest, java.net.http.HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(okRequest, ok);
        assertThat(ok.statusCode()).isEqualTo(f == Flavour.REST ? 200 : 204);
    }

    /**
     * Found by the fuzzer once its answers were checked against the OpenAPI document: "." and ".." fit the
     * path template but the HTTP server normalises them away, so the operation's path answers
     * operation_not_found (documented for its 404).
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void dotSegmentsInTheOperationsPathNameNoOperation(Flavour f) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (String path : new String[] {"/vcenter/vm/../guest/processes/1000", "/vcenter/vm/vm-1/guest/processes/..",
                "/vcenter/vm/./guest/processes/1000"}) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":"
                    + io.restassured.RestAssured.port + "/" + f.tag() + path + "?action=delete"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + com.guestops.gateway.support.TestTokens.suite())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(com.guestops.gateway.support.VapiCall.ROOT)).build();
            var answer = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.body()).contains("com.guestops.gateway.operation.not_found");
            ContractValidation.check(request, answer);
        }
    }
}
