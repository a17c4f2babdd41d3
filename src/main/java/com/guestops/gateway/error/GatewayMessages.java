package com.guestops.gateway.error;

/**
 * Every message id of an error the gateway makes itself, in one catalogue. All start with
 * {@value #PREFIX}, so a caller can tell the gateway's answers from a host's. The ids are part of the
 * public interface (docs/forwarding.md lists what each means); the texts are not.
 */
public final class GatewayMessages {
    public static final String PREFIX = "com.guestops.gateway.";

    // ---- the request itself (400 invalid_argument); the parser appends the rule, e.g. "pid.invalid"
    public static final String VALIDATION = PREFIX + "validation.";
    /** Guest credentials hold a character no XML document can carry (vim25 hosts). */
    public static final String VALUE_NOT_XML = VALIDATION + "value.not_xml";

    // ---- the HTTP surface
    public static final String OPERATION_NOT_FOUND = PREFIX + "operation.not_found";
    public static final String INTERNAL_ERROR = PREFIX + "internal_error";

    // ---- caller authentication and scope (security)
    public static final String AUTH = PREFIX + "auth.";
    public static final String AUTH_TOKEN_MISSING = AUTH + "token_missing";
    public static final String AUTH_TOKEN_INVALID = AUTH + "token_invalid";
    public static final String AUTH_TOKEN_EXPIRED = AUTH + "token_expired";
    public static final String AUTH_ROLE_MISSING = AUTH + "role_missing";
    public static final String AUTH_OUT_OF_SCOPE = AUTH + "out_of_scope";
    public static final String AUTH_CLIENT_CERTIFICATE_MISSING = AUTH + "client_certificate_missing";

    // ---- routing: which host owns the VM
    /** Every discoverable host said the VM is not there (404). */
    public static final String NO_ROUTE = PREFIX + "vm.no_route";
    /** More than one host claims the VM (500): nothing is sent. */
    public static final String AMBIGUOUS_ROUTE = PREFIX + "vm.ambiguous_route";
    /** Some host could not be asked or could not say (503): nothing is sent on a guess. */
    public static final String ROUTE_UNKNOWN = PREFIX + "vm.route_unknown";

    // ---- resilience: answers given without (or instead of) a host's
    public static final String CIRCUIT_OPEN = PREFIX + "host.circuit_open";
    public static final String BULKHEAD_FULL = PREFIX + "host.bulkhead_full";
    public static final String VM_COOLDOWN = PREFIX + "vm.cooldown";
    public static final String DEADLINE_EXCEEDED = PREFIX + "deadline_exceeded";

    // ---- what happened to a host call that brought no answer of the host's own
    /** Nothing was sent: the connection could not be opened (refused, TLS, DNS, connect timeout). */
    public static final String HOST_UNREACHABLE = PREFIX + "host.unreachable";
    /** The request was sent and the connection dropped before the answer: it may have happened. */
    public static final String HOST_CONNECTION_LOST = PREFIX + "host.connection_lost";
    /** No answer within the attempt timeout. */
    public static final String HOST_TIMEOUT = PREFIX + "host.timeout";
    /** The host answered something that is not its protocol, or more than max-response-size. */
    public static final String HOST_BAD_RESPONSE = PREFIX + "host.bad_response";
    /** A proxy's 502/503/504 without a protocol body: the host's service is down. */
    public static final String HOST_UNAVAILABLE = PREFIX + "host.unavailable";
    /** The host refused the gateway's service account. */
    public static final String HOST_LOGIN_FAILED = PREFIX + "host.login_failed";
    /** A vim25 host failed a session set-up call (about the host and the gateway's account, never the guest). */
    public static final String HOST_SETUP_FAILED = PREFIX + "host.setup_failed";

    // ---- the process lookup and the conditional delete (safe kill)
    /** {@code If-Match} names another process than the one holding the pid now (409 concurrent_change): nothing killed. */
    public static final String PROCESS_CHANGED = PREFIX + "process.changed";
    /** The process holding the pid has already ended (a recently finished one the host still lists): 404, nothing killed. */
    public static final String PROCESS_ENDED = PREFIX + "process.ended";

    private GatewayMessages() {
    }
}
