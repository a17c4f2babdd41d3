package com.guestops.gateway.error;

/** Message ids of errors the gateway makes itself. All start with {@code com.guestops.gateway.}. */
public final class GatewayMessages {
    public static final String PREFIX = "com.guestops.gateway.";

    public static final String VALIDATION = PREFIX + "validation.";
    public static final String NO_ROUTE = PREFIX + "vm.no_route";
    public static final String OPERATION_NOT_FOUND = PREFIX + "operation.not_found";
    public static final String INTERNAL_ERROR = PREFIX + "internal_error";

    private GatewayMessages() {
    }
}
