package com.guestops.gateway.terminate;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Translates what a host call failed with into the vAPI answer the caller gets. A {@link VapiException}
 * is already an answer; transport failures and timeouts mean the owning host could not be reached
 * (503 {@code service_unavailable}); anything else is a bug of ours (500 {@code error}).
 */
public final class HostFailures {

    public static final String HOST_UNREACHABLE = GatewayMessages.PREFIX + "host.unreachable";
    public static final String HOST_TIMEOUT = GatewayMessages.PREFIX + "host.timeout";

    private HostFailures() {
    }

    public static VapiException translate(String host, Throwable failure) {
        if (failure instanceof VapiException vapi) {
            return vapi;
        }
        if (isTimeout(failure)) {
            return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, HOST_TIMEOUT,
                    "Host " + host + " did not answer in time; the process may or may not have been terminated.", host);
        }
        if (isTransport(failure)) {
            return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, HOST_UNREACHABLE,
                    "Host " + host + " could not be reached.", host);
        }
        return VapiException.gateway(ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR,
                "The gateway failed to process the request.");
    }

    public static boolean isTimeout(Throwable t) {
        return t instanceof TimeoutException || t instanceof ConnectTimeoutException
                || t instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException
                || t instanceof io.netty.handler.timeout.TimeoutException;
    }

    /** Connection refused before anything was sent: the one transport failure that is safe to retry. */
    public static boolean isConnectionRefused(Throwable t) {
        return t instanceof ConnectException && !(t instanceof ConnectTimeoutException);
    }

    public static boolean isTransport(Throwable t) {
        return t instanceof IOException || t instanceof VertxException || isTimeout(t);
    }
}
