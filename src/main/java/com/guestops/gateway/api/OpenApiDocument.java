package com.guestops.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code GET /q/openapi}: the hand-written contract, {@code META-INF/openapi.yaml}, as it is (YAML), or the same
 * document as JSON with {@code ?format=json} or {@code Accept: application/json}.
 *
 * <p>Served here rather than by SmallRye OpenAPI because SmallRye parses and re-serialises the whole document in both
 * formats at every start, about 0.4 s of a cold start on two cores, to serve a file that is already written.
 * The YAML bytes are read once; the JSON form is made on a worker thread when it is first asked for, then kept.
 */
@ApplicationScoped
public class OpenApiDocument {

    public static final String PATH = "/q/openapi";
    static final String SOURCE = "META-INF/openapi.yaml";
    private static final String YAML_TYPE = "application/yaml;charset=UTF-8";
    private static final String JSON_TYPE = "application/json;charset=UTF-8";

    private final Buffer yaml = Buffer.buffer(read());
    private final Uni<Buffer> json = Uni.createFrom().item(() -> toJson(yaml))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
            .memoize().indefinitely();

    void register(@Observes Router router) {
        router.route(PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        if (!wantsJson(ctx)) {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, YAML_TYPE).end(yaml);
            return;
        }
        json.subscribe().with(
                body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(body),
                ctx::fail);
    }

    /** SmallRye's rule, kept for existing clients: {@code format} decides, else an {@code Accept} naming JSON. */
    private static boolean wantsJson(RoutingContext ctx) {
        String format = ctx.request().getParam("format");
        if (format != null) {
            return format.toLowerCase(Locale.ROOT).equals("json");
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/json");
    }

    private static byte[] read() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SOURCE + " is missing from the application");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Buffer toJson(Buffer yaml) {
        try {
            return Buffer.buffer(new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(new YAMLMapper().readTree(yaml.getBytes())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
