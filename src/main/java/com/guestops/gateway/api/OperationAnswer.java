package com.guestops.gateway.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * What the operation answers: a status, the headers it adds, and a JSON body or none. Rendered by the gateway's own
 * routes ({@link #writeTo}), so every byte of an answer on the operation's paths is the gateway's.
 *
 * @param json the body, already JSON, or null for none (a 204, or {@code /rest}'s empty 200)
 */
public record OperationAnswer(int status, Map<String, String> headers, String json) {

    public OperationAnswer {
        headers = Map.copyOf(headers);
    }

    static OperationAnswer empty(int status) {
        return new OperationAnswer(status, Map.of(), null);
    }

    void writeTo(HttpServerResponse response) {
        response.setStatusCode(status);
        headers.forEach(response::putHeader);
        if (json == null) {
            response.end();
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json);
    }
}
