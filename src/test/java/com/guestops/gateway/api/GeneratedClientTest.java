package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.guestops.gateway.client.ApiClient;
import com.guestops.gateway.client.ApiException;
import com.guestops.gateway.client.ApiResponse;
import com.guestops.gateway.client.api.GuestProcessesApi;
import com.guestops.gateway.client.api.GuestProcessesLegacyRestApi;
import com.guestops.gateway.client.model.Action;
import com.guestops.gateway.client.model.ApiBadRequestError;
import com.guestops.gateway.client.model.ApiNotFoundError;
import com.guestops.gateway.client.model.ApiUnauthenticatedError;
import com.guestops.gateway.client.model.GuestCredentials;
import com.guestops.gateway.client.model.GuestProcessesDeleteRequest;
import com.guestops.gateway.client.model.LocalizableMessage;
import com.guestops.gateway.client.model.ProcessInfo;
import com.guestops.gateway.client.model.RestConcurrentChangeError;
import com.guestops.gateway.client.model.RestProcessInfo;
import com.guestops.gateway.client.model.ApiConcurrentChangeError;
import com.guestops.gateway.client.model.RestBadRequestError;
import com.guestops.gateway.client.model.RestNotFoundError;
import com.guestops.gateway.client.model.RestUnauthenticatedError;
import com.guestops.gateway.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * A client generated from the gateway's own OpenAPI document (openapi-generator, {@code java} / {@code native},
 * in the build's generate-test-sources phase) calls the running test application for the demo cases and
 * gets typed answers: success, {@code not_found} with {@code data.pid}, {@code unauthenticated},
 * {@code invalid_argument}, in both flavours; and the safe kill: a typed process from {@code action=get} with its
 * ETag, a conditional delete with it, and the typed {@code concurrent_change} of a stale one.
 */
@QuarkusTest
class GeneratedClientTest {

    @TestHTTPResource("/")
    URI base;

    private ApiClient client(String bearer) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base.toString().replaceAll("/$", ""));
        if (bearer != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + bearer));
        }
        return client;
    }

    private GuestProcessesApi api() {
        return new GuestProcessesApi(client(TestTokens.suite()));
    }

    private GuestProcessesLegacyRestApi legacy() {
        return new GuestProcessesLegacyRestApi(client(TestTokens.suite()));
    }

    private static GuestProcessesDeleteRequest root(String password) {
        return new GuestProcessesDeleteRequest().credentials(new GuestCredentials()
                .type(GuestCredentials.TypeEnum.USERNAME_PASSWORD).userName("root").password(password).interactiveSession(false));
    }

    /** The error body of a failed call, read as the document's type for that status. */
    private <T> T error(ApiException failure, Class<T> type) throws JsonProcessingException {
        return client(null).getObjectMapper().readValue(failure.getResponseBody(), type);
    }

    @Test
    void success() throws ApiException {
        ApiResponse<ProcessInfo> modern = api().deleteGuestProcessWithHttpInfo("vm-1", 1000L, Action.DELETE, root("vmware"), null, "20s", "client-1");
        assertThat(modern.getStatusCode()).isEqualTo(204);
        assertThat(modern.getHeaders().get("x-request-id")).containsExactly("client-1");
        ApiResponse<RestProcessInfo> legacy = legacy().deleteGuestProcessLegacyWithHttpInfo("vm-1", 1000L, root("vmware"), Action.DELETE, null, null, null, null);
        assertThat(legacy.getStatusCode()).isEqualTo(200);
        // govmomi's spelling
        assertThat(legacy().deleteGuestProcessLegacyWithHttpInfo("vm-1", 1001L, root("vmware"), null, Action.DELETE, null, null, null)
                .getStatusCode()).isEqualTo(200);
    }

    @Test
    void unknownPidIsNotFoundWithThePidInData() throws Exception {
        ApiException modern = catchThrowableOfType(ApiException.class,
                () -> api().deleteGuestProcess("vm-1", 4242L, Action.DELETE, root("vmware"), null, null, null));
        assertThat(modern.getCode()).isEqualTo(404);
        ApiNotFoundError notFound = error(modern, ApiNotFoundError.class);
        assertThat(notFound.getErrorType()).isEqualTo(ApiNotFoundError.ErrorTypeEnum.NOT_FOUND);
        assertThat(notFound.getData().getPid()).isEqualTo(4242L);
        assertThat(notFound.getMessages()).isNotEmpty();

        ApiException legacy = catchThrowableOfType(ApiException.class,
                () -> legacy().deleteGuestProcessLegacy("vm-1", 4242L, root("vmware"), Action.DELETE, null, null, null, null));
        RestNotFoundError legacyNotFound = error(legacy, RestNotFoundError.class);
        assertThat(legacyNotFound.getType()).isEqualTo(RestNotFoundError.TypeEnum.COM_VMWARE_VAPI_STD_ERRORS_NOT_FOUND);
        assertThat(legacyNotFound.getValue().getData().getPid()).isEqualTo(4242L);
    }

    @Test
    void unauthenticatedCallerOrGuest() throws Exception {
        // the caller: no bearer token at all
        ApiException noToken = catchThrowableOfType(ApiException.class, () -> new GuestProcessesApi(client(null))
                .deleteGuestProcess("vm-1", 1000L, Action.DELETE, root("vmware"), null, null, null));
        assertThat(noToken.getCode()).isEqualTo(401);
        assertThat(noToken.getResponseHeaders().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"guestops-gateway\"");
        ApiUnauthenticatedError caller = error(noToken, ApiUnauthenticatedError.class);
        assertThat(caller.getErrorType()).isEqualTo(ApiUnauthenticatedError.ErrorTypeEnum.UNAUTHENTICATED);
        assertThat(caller.getMessages()).extracting(LocalizableMessage::getId)
                .containsExactly("com.guestops.gateway.auth.token_missing");
        assertThat(caller.getChallenge()).isEqualTo("Bearer realm=\"guestops-gateway\"");

        // the guest: a wrong password, refused by the host
        ApiException wrongPassword = catchThrowableOfType(ApiException.class,
                () -> legacy().deleteGuestProcessLegacy("vm-1", 1000L, root("nope"), Action.DELETE, null, null, null, null));
        assertThat(wrongPassword.getCode()).isEqualTo(401);
        RestUnauthenticatedError guest = error(wrongPassword, RestUnauthenticatedError.class);
        assertThat(guest.getType()).isEqualTo(RestUnauthenticatedError.TypeEnum.COM_VMWARE_VAPI_STD_ERRORS_UNAUTHENTICATED);
        assertThat(guest.getValue().getMessages()).extracting(LocalizableMessage::getId)
                .noneMatch(id -> id.startsWith("com.guestops.gateway."));
    }

    /** What the typed client can express but the gateway refuses: every violation named, typed. */
    @Test
    void invalidArgument() throws Exception {
        GuestProcessesDeleteRequest samlInteractive = new GuestProcessesDeleteRequest().credentials(new GuestCredentials()
                .type(GuestCredentials.TypeEnum.SAML_BEARER_TOKEN).userName("root").samlToken("demo-saml-token")
                .interactiveSession(true));
        ApiException modern = catchThrowableOfType(ApiException.class,
                () -> api().deleteGuestProcess("vm-1", 0L, Action.DELETE, samlInteractive, null, "soon", null));
        assertThat(modern.getCode()).isEqualTo(400);
        ApiBadRequestError invalid = error(modern, ApiBadRequestError.class);
        assertThat(invalid.getErrorType()).isEqualTo(ApiBadRequestError.ErrorTypeEnum.INVALID_ARGUMENT);
        assertThat(invalid.getMessages()).extracting(LocalizableMessage::getId).containsExactlyInAnyOrder(
                "com.guestops.gateway.validation.pid.invalid",
                "com.guestops.gateway.validation.request_timeout.invalid",
                "com.guestops.gateway.validation.credentials.interactive_session.not_allowed");

        ApiException legacy = catchThrowableOfType(ApiException.class,
                () -> legacy().deleteGuestProcessLegacy("vm-1", 1000L, root("vmware"), null, null, null, null, null));
        RestBadRequestError noAction = error(legacy, RestBadRequestError.class);
        assertThat(noAction.getType()).isEqualTo(RestBadRequestError.TypeEnum.COM_VMWARE_VAPI_STD_ERRORS_INVALID_ARGUMENT);
        assertThat(noAction.getValue().getMessages()).extracting(LocalizableMessage::getArgs)
                .containsExactly(java.util.List.of("action"));
    }

    @Test
    void safeKill() throws Exception {
        ApiResponse<ProcessInfo> found = api().deleteGuestProcessWithHttpInfo("vm-1", 1900L, Action.GET, root("vmware"), null, null, null);
        assertThat(found.getStatusCode()).isEqualTo(200);
        assertThat(found.getData().getName()).isEqualTo("worker");
        assertThat(found.getData().getOwner()).isEqualTo("root");
        assertThat(found.getData().getStarted()).isNotNull();
        String etag = found.getHeaders().get("etag").get(0);

        assertThat(api().deleteGuestProcessWithHttpInfo("vm-1", 1900L, Action.DELETE, root("vmware"), etag, null, null)
                .getStatusCode()).isEqualTo(204);

        ApiException stale = catchThrowableOfType(ApiException.class,
                () -> api().deleteGuestProcess("vm-1", 1900L, Action.DELETE, root("vmware"), etag, null, null));
        assertThat(stale.getCode()).isEqualTo(409);
        ApiConcurrentChangeError changed = error(stale, ApiConcurrentChangeError.class);
        assertThat(changed.getErrorType()).isEqualTo(ApiConcurrentChangeError.ErrorTypeEnum.CONCURRENT_CHANGE);
        assertThat(changed.getData().getPid()).isEqualTo(1900L);

        RestProcessInfo legacyFound = legacy().deleteGuestProcessLegacy("vm-1", 1901L, root("vmware"), Action.GET, null, null, null, null);
        assertThat(legacyFound.getValue().getName()).isEqualTo("worker");
        ApiException legacyStale = catchThrowableOfType(ApiException.class,
                () -> legacy().deleteGuestProcessLegacy("vm-1", 1901L, root("vmware"), Action.DELETE, null, etag, null, null));
        RestConcurrentChangeError legacyChanged = error(legacyStale, RestConcurrentChangeError.class);
        assertThat(legacyChanged.getType()).isEqualTo(RestConcurrentChangeError.TypeEnum.COM_VMWARE_VAPI_STD_ERRORS_CONCURRENT_CHANGE);
    }
}
