package com.guestops.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.ContractValidation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The document served at {@code /q/openapi}: valid OpenAPI (swagger-parser reports nothing), exactly the
 * contract written by hand in {@value #SOURCE}, and a description of what the gateway really does — each
 * requirement of the contract checked against the code's own tables where the code has one.
 */
@QuarkusTest
class OpenApiDocumentTest {

    static final String SOURCE = "META-INF/openapi.yaml";
    static final String API = "/api/vcenter/vm/{vm}/guest/processes/{pid}";
    static final String REST = "/rest/vcenter/vm/{vm}/guest/processes/{pid}";

    private static OpenAPI doc;

    private static OpenAPI doc() {
        if (doc == null) {
            doc = parse(served("json"));
        }
        return doc;
    }

    static String served(String format) {
        return given().queryParam("format", format).get("/q/openapi").then().statusCode(200).extract().asString();
    }

    static OpenAPI parse(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
        assertThat(result.getMessages()).as("swagger-parser messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        return result.getOpenAPI();
    }

    private static Operation operation(Flavour flavour) {
        return doc().getPaths().get(flavour == Flavour.API ? API : REST).getPost();
    }

    private static Map<String, Parameter> parameters(Flavour flavour) {
        PathItem path = doc().getPaths().get(flavour == Flavour.API ? API : REST);
        Map<String, Parameter> byName = new HashMap<>();
        // the parser's resolver moves path-level parameters into the operations
        for (List<Parameter> list : java.util.Arrays.asList(path.getParameters(), operation(flavour).getParameters())) {
            for (Parameter p : list == null ? List.<Parameter>of() : list) {
                Parameter resolved = p.get$ref() == null ? p
                        : doc().getComponents().getParameters().get(p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1));
                byName.put(resolved.getIn() + ":" + resolved.getName(), resolved);
            }
        }
        return byName;
    }

    private static <T> T component(Map<String, T> components, String ref) {
        return components.get(ref.substring(ref.lastIndexOf('/') + 1));
    }

    private static ApiResponse response(Flavour flavour, int status) {
        ApiResponse r = operation(flavour).getResponses().get(Integer.toString(status));
        assertThat(r).as("%s answers %d", flavour, status).isNotNull();
        return r.get$ref() == null ? r : component(doc().getComponents().getResponses(), r.get$ref());
    }

    @SuppressWarnings("rawtypes")
    private static Schema schema(Schema s) {
        return s.get$ref() == null ? s : component(doc().getComponents().getSchemas(), s.get$ref());
    }

    @SuppressWarnings("rawtypes")
    private static Schema bodySchema(ApiResponse response) {
        return schema(response.getContent().get("application/json").getSchema());
    }

    // ---- the document itself ----------------------------------------------------------------------

    @Test
    void servedDocumentParsesAndValidatesWithoutMessages() {
        parse(served("json"));
        parse(served("yaml"));
    }

    @Test
    void servedAsYamlOrJsonAsTheDocumentSays() {
        assertThat(given().get("/q/openapi").then().statusCode(200).extract().contentType()).startsWith("application/yaml");
        assertThat(given().accept("application/json").get("/q/openapi").then().statusCode(200).extract().contentType())
                .startsWith("application/json");
        assertThat(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().contentType())
                .startsWith("application/json");
    }

    @Test
    void servedDocumentIsTheHandWrittenOne() throws IOException {
        JsonNode served = new ObjectMapper().readTree(served("json"));
        JsonNode written;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(SOURCE)) {
            written = new YAMLMapper().readTree(in);
        }
        assertThat(served).isEqualTo(written);
        assertThat(Files.readString(Path.of("src/main/resources", SOURCE))).as("no YAML anchors: the JSON form's converter does not resolve them")
                .doesNotContainPattern(": [&*][A-Za-z]");
    }

    /** The YAML form is the file itself, comments and all: nothing re-serialised it on the way (SmallRye did). */
    @Test
    void yamlIsTheWrittenFileByteForByte() throws IOException {
        byte[] served = given().get("/q/openapi").then().statusCode(200).extract().asByteArray();
        assertThat(served).isEqualTo(Files.readAllBytes(Path.of("src/main/resources", SOURCE)));
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutTheDocument() {
        var head = given().head("/q/openapi").then().statusCode(200).extract();
        assertThat(head.contentType()).startsWith("application/yaml");
        assertThat(head.asByteArray()).isEmpty();
    }

    /** The document describes GET only; any other method is no operation, in the vAPI shape (SmallRye answered 200). */
    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
    void otherMethodsAreNoOperation(String method) {
        given().request(method, "/q/openapi").then().statusCode(404)
                .body("error_type", equalTo(ErrorType.OPERATION_NOT_FOUND.name()))
                .body("messages[0].id", equalTo("com.guestops.gateway.operation.not_found"));
    }

    @Test
    void noInternalTypeLeaks() {
        String json = served("json");
        for (String internal : List.of("RoutingContext", "Buffer", "ByteBuf", "Session", "\"User\"", "AuthProvider",
                "Uni", "MultivaluedMap", "HttpHeaders", "UriInfo", "byte[]", "TerminateCommand", "VapiError")) {
            assertThat(json).as("the document names %s", internal).doesNotContain(internal);
        }
        // health and metrics are on the management port, which this document (the public port's contract) does not describe
        assertThat(doc().getPaths().keySet()).containsExactlyInAnyOrder(API, REST, "/q/openapi");
    }

    @Test
    void serversAreListed() {
        assertThat(doc().getServers()).isNotEmpty().allSatisfy(s -> assertThat(s.getUrl()).startsWith("http"));
    }

    // ---- the operation ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theOperationIsNamedTaggedAndDescribed(Flavour flavour) {
        PathItem path = doc().getPaths().get(flavour == Flavour.API ? API : REST);
        assertThat(path.readOperations()).as("only POST is served").containsExactly(path.getPost());
        Operation op = operation(flavour);
        assertThat(op.getOperationId()).isEqualTo(flavour == Flavour.API ? "deleteGuestProcess" : "deleteGuestProcessLegacy");
        assertThat(op.getTags()).hasSize(1);
        assertThat(doc().getTags()).anySatisfy(t -> assertThat(t.getName()).isEqualTo(op.getTags().get(0)));
        assertThat(op.getSummary()).startsWith("Terminates a process in the guest OS");
        // the operation's own text (../shared/spec): TERM, then KILL
        assertThat(op.getDescription()).contains("the process is sent a TERM signal",
                "If that\ndoesn't terminate the process, a KILL signal is sent");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    @SuppressWarnings("rawtypes")
    void pathParametersAreTypedAsTheGatewayChecksThem(Flavour flavour) {
        Schema vm = parameters(flavour).get("path:vm").getSchema();
        assertThat(vm.getType()).isEqualTo("string");
        assertThat(vm.getMinLength()).isEqualTo(1);
        assertThat(vm.getMaxLength()).isEqualTo(80);
        assertThat(vm.getPattern()).isEqualTo("^" + TerminateRequestParser.VM_ID.pattern() + "$");
        Schema pid = parameters(flavour).get("path:pid").getSchema();
        assertThat(pid.getType()).isEqualTo("integer");
        assertThat(pid.getFormat()).isEqualTo("int64");
        assertThat(pid.getMinimum()).isEqualByComparingTo("1");
    }

    @Test
    @SuppressWarnings("rawtypes")
    void actionIsRequiredOnApiAndMayBeSpelledTheGovmomiWayOnRest() {
        Parameter api = parameters(Flavour.API).get("query:action");
        assertThat(api.getRequired()).isTrue();
        assertThat(schema(api.getSchema()).getEnum()).containsExactly("delete", "get");
        Parameter rest = parameters(Flavour.REST).get("query:action");
        Parameter govmomi = parameters(Flavour.REST).get("query:~action");
        assertThat(rest.getRequired()).as("one of action / ~action").isFalse();
        assertThat(govmomi.getRequired()).isFalse();
        for (Parameter p : List.of(rest, govmomi)) {
            assertThat(schema(p.getSchema()).getEnum()).containsExactly("delete", "get");
            assertThat(p.getDescription()).contains("exactly one of `action` and `~action`");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void requestHeadersAreDescribed(Flavour flavour) {
        Map<String, Parameter> params = parameters(flavour);
        assertThat(params).containsKeys("header:X-Request-Timeout", "header:X-Request-Id", "header:If-Match");
        assertThat(params.get("header:If-Match").getRequired()).isFalse();
        assertThat(params.get("header:X-Request-Timeout").getRequired()).isFalse();
        assertThat(params.get("header:X-Request-Id").getRequired()).isFalse();
        // Authorization is the security scheme's, not a parameter (OpenAPI ignores such a header parameter)
        assertThat(params).doesNotContainKey("header:Authorization");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    @SuppressWarnings({"rawtypes", "unchecked"})
    void theRequestBodyIsTheGuestCredentials(Flavour flavour) {
        var body = operation(flavour).getRequestBody();
        body = body.get$ref() == null ? body : component(doc().getComponents().getRequestBodies(), body.get$ref());
        assertThat(body.getRequired()).isTrue();
        Schema request = schema(body.getContent().get("application/json").getSchema());
        assertThat(request.getRequired()).containsExactly("credentials");
        Schema credentials = schema((Schema) request.getProperties().get("credentials"));
        Map<String, Schema> fields = credentials.getProperties();
        assertThat(fields).containsOnlyKeys("type", "user_name", "password", "saml_token", "interactive_session");
        assertThat(credentials.getRequired()).containsExactly("type");
        assertThat(fields.get("type").getEnum()).containsExactly("USERNAME_PASSWORD", "SAML_BEARER_TOKEN");
        assertThat(fields.get("user_name").getType()).isEqualTo("string");
        for (String secret : List.of("password", "saml_token")) {
            assertThat(fields.get(secret).getFormat()).isEqualTo("password");
            assertThat(fields.get(secret).getWriteOnly()).isTrue();
        }
        assertThat(fields.get("interactive_session").getType()).isEqualTo("boolean");
    }

    // ---- the answers --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyStatusTheOperationAnswersIsListed(Flavour flavour) {
        List<String> success = flavour == Flavour.API ? List.of("200", "204") : List.of("200");
        assertThat(operation(flavour).getResponses().keySet()).containsAll(success).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(success.stream(), java.util.stream.Stream.of("400", "401", "403", "404", "409",
                        "408", "414", "431", "500", "503")).toList());
        if (flavour == Flavour.API) {
            assertThat(response(flavour, 204).getContent()).as("no body on a delete's success").isNull();
        }
        // get's answer: VMware's Processes.Info (/rest: inside value), with the process's ETag
        assertThat(bodySchema(response(flavour, 200)).getProperties()).containsOnlyKeys(
                flavour == Flavour.API ? new String[] {"name", "owner", "command", "started", "finished", "exit_code"}
                        : new String[] {"value"});
        assertThat(response(flavour, 200).getHeaders()).containsKey("ETag");
    }

    /** Each status lists exactly the error types the code answers it with (ErrorType is the code's table). */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    @SuppressWarnings("unchecked")
    void eachStatusCarriesTheErrorTypesTheCodeGivesIt(Flavour flavour) {
        Map<Integer, Set<String>> inCode = new TreeMap<>();
        for (ErrorType type : ErrorType.values()) {
            // operation_not_found too: the operation's path with a vm or pid of "." or ".." is normalised away
            inCode.computeIfAbsent(type.httpStatus(), s -> new java.util.TreeSet<>())
                    .add(flavour == Flavour.API ? type.name() : type.legacyTypeName());
        }
        Map<Integer, Set<String>> inDocument = new TreeMap<>();
        for (int status : inCode.keySet()) {
            var properties = bodySchema(response(flavour, status)).getProperties();
            var typeField = (Schema<Object>) properties.get(flavour == Flavour.API ? "error_type" : "type");
            inDocument.put(status, typeField.getEnum().stream().map(Object::toString).collect(Collectors.toCollection(java.util.TreeSet::new)));
        }
        assertThat(inDocument).isEqualTo(inCode);
        // the HTTP layer's own refusals (slow client, request line, header block): invalid_argument only
        for (int status : List.of(408, 414, 431)) {
            var typeField = (Schema<Object>) bodySchema(response(flavour, status)).getProperties()
                    .get(flavour == Flavour.API ? "error_type" : "type");
            assertThat(typeField.getEnum()).containsExactly(flavour == Flavour.API ? "INVALID_ARGUMENT"
                    : ErrorType.INVALID_ARGUMENT.legacyTypeName());
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    @SuppressWarnings("rawtypes")
    void errorsHaveTheFlavoursShape(Flavour flavour) {
        for (int status : List.of(400, 401, 403, 404, 414, 431, 500, 503)) {
            Schema body = bodySchema(response(flavour, status));
            Schema content = flavour == Flavour.API ? body : schema((Schema) body.getProperties().get("value"));
            if (flavour == Flavour.REST) {
                assertThat(body.getProperties()).containsOnlyKeys("type", "value");
                assertThat(body.getRequired()).containsExactlyInAnyOrder("type", "value");
            }
            assertThat(content.getRequired()).contains("messages");
            assertThat(content.getProperties()).containsKeys("messages", "data");
            Schema message = schema(schema((Schema) content.getProperties().get("messages")).getItems());
            assertThat(message.getProperties()).containsOnlyKeys("id", "default_message", "args");
            Schema data = schema((Schema) content.getProperties().get("data"));
            assertThat(((Schema) data.getProperties().get("pid")).getFormat()).isEqualTo("int64");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void responseHeadersAreDescribed(Flavour flavour) {
        for (String status : operation(flavour).getResponses().keySet()) {
            var headers = response(flavour, Integer.parseInt(status)).getHeaders();
            var id = headers.get("X-Request-Id");
            id = id.get$ref() == null ? id : component(doc().getComponents().getHeaders(), id.get$ref());
            // every answer carries it, also the HTTP layer's refusals (api/ConnectionGuard)
            assertThat(id.getRequired()).as("X-Request-Id on %s", status).isTrue();
        }
        assertThat(response(flavour, 503).getHeaders()).containsKey("Retry-After");
        assertThat(response(flavour, 401).getHeaders()).containsKey("WWW-Authenticate");
    }

    /** The flavours differ in shape only: each status is explained in the same words. */
    @Test
    void bothFlavoursExplainEachStatusAlike() {
        for (int status : List.of(400, 401, 403, 404, 408, 414, 431, 500, 503)) {
            assertThat(response(Flavour.REST, status).getDescription()).isEqualTo(response(Flavour.API, status).getDescription());
        }
    }

    // ---- security -----------------------------------------------------------------------------------

    @Test
    void aBearerTokenOnTheOperationsNoneOnTheServiceEndpoints() {
        SecurityScheme bearer = doc().getComponents().getSecuritySchemes().get("bearerAuth");
        assertThat(bearer.getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(bearer.getScheme()).isEqualTo("bearer");
        assertThat(bearer.getBearerFormat()).isEqualTo("JWT");
        assertThat(doc().getSecurity()).as("no document-wide requirement").isNullOrEmpty();
        for (Flavour flavour : Flavour.values()) {
            assertThat(operation(flavour).getSecurity()).hasSize(1)
                    .allSatisfy(requirement -> assertThat(requirement).containsOnlyKeys("bearerAuth"));
        }
        doc().getPaths().forEach((path, item) -> {
            if (path.startsWith("/q/")) {
                assertThat(item.getGet().getSecurity()).as(path).isEmpty();
            }
        });
    }

    // ---- examples -----------------------------------------------------------------------------------

    /** The document's examples are answers too: they must pass the contract they illustrate. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyExampleAnswerConforms(Flavour flavour) throws IOException {
        ObjectMapper json = new ObjectMapper();
        int checked = 0;
        for (var entry : operation(flavour).getResponses().entrySet()) {
            var content = response(flavour, Integer.parseInt(entry.getKey())).getContent();
            if (content == null || content.get("application/json").getExamples() == null) {
                continue;
            }
            for (var example : content.get("application/json").getExamples().values()) {
                String body = json.writeValueAsString(example.getValue());
                ContractValidation.check("POST", URI.create(RestAssured.baseURI + ":" + RestAssured.port
                        + (flavour == Flavour.API ? API : REST).replace("{vm}", "vm-42").replace("{pid}", "4242")),
                        Integer.parseInt(entry.getKey()), Map.of("Content-Type", List.of("application/json"),
                                "X-Request-Id", List.of("example"), "ETag", List.of("\"lx2k3-9f86d081884c7d65\"")), body);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }
}
