package com.guestops.gateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Helm chart and the plain manifests, rendered and parsed in tests: {@code helm lint} and
 * {@code helm template} through helm-java (a bundled native helm library, no helm binary needed).
 */
final class Charts {

    static final Path ROOT = Path.of(System.getProperty("project.root", "."));
    static final Path CHART = ROOT.resolve("helm/guestops-gateway");
    static final Path K8S = ROOT.resolve("k8s");
    static final Path VALUES = ROOT.resolve("src/test/resources/helm");

    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private Charts() {
    }

    /** {@code helm template <release> <chart> -n <namespace> [-f values]}, parsed. */
    static Rendered template(String release, String namespace, Path valuesFile) {
        TemplateCommand command = new Helm(CHART).template().withName(release).withNamespace(namespace);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        String yaml = command.call();
        return new Rendered(yaml, parseAll(yaml));
    }

    /** The same, with {@code --set key=value} for each entry (applied after the values file, as helm does). */
    static Rendered template(String release, String namespace, Path valuesFile, java.util.Map<String, Object> sets) {
        TemplateCommand command = new Helm(CHART).template().withName(release).withNamespace(namespace).withValuesFile(valuesFile);
        for (var set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        String yaml = command.call();
        return new Rendered(yaml, parseAll(yaml));
    }

    /** The install notes (NOTES.txt), from a client-only dry-run install: no cluster needed. */
    static String notes(Path valuesFile) {
        InstallCommand command = new Helm(CHART).install().withName("gw").withNamespace("guestops").clientOnly().dryRun();
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        String output = command.call().getOutput();
        return output.substring(output.indexOf("NOTES:"));
    }

    static Rendered template(Path valuesFile) {
        return template("gw", "guestops", valuesFile);
    }

    /**
     * {@code helm lint --strict} of the chart with the given values. helm-java's lint takes no values
     * file, so the chart is copied and the values are deep-merged into its values.yaml, which is what
     * {@code helm lint -f} does.
     */
    static LintResult lint(Path valuesFile) {
        if (valuesFile == null) {
            return new Helm(CHART).lint().strict().call();
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("chart-lint");
            Path copy = dir.resolve(CHART.getFileName());
            copyTree(CHART, copy);
            JsonNode merged = merge(YAML.readTree(CHART.resolve("values.yaml").toFile()),
                    YAML.readTree(valuesFile.toFile()));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(dir); // one copy per lint: a suite run would otherwise leave dozens in /tmp
        }
    }

    static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's values merge: objects merge key by key, anything else replaces. */
    static JsonNode merge(JsonNode base, JsonNode override) {
        if (base instanceof ObjectNode target && override instanceof ObjectNode source) {
            ObjectNode result = target.deepCopy();
            source.fields().forEachRemaining(e -> result.set(e.getKey(),
                    result.has(e.getKey()) ? merge(result.get(e.getKey()), e.getValue()) : e.getValue()));
            return result;
        }
        return override == null || override.isMissingNode() ? base : override;
    }

    static List<JsonNode> parseAll(String yaml) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            Iterator<JsonNode> it = YAML.readValues(new YAMLFactory().createParser(yaml), JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parseYaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    /** A rendered set of Kubernetes objects. */
    record Rendered(String yaml, List<JsonNode> objects) {

        List<JsonNode> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        }

        Optional<JsonNode> find(String kind) {
            List<JsonNode> found = all(kind);
            if (found.size() > 1) {
                throw new AssertionError("more than one " + kind + ": " + found.stream().map(Charts::name).toList());
            }
            return found.stream().findFirst();
        }

        JsonNode one(String kind) {
            return find(kind).orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
        }

        JsonNode one(String kind, String name) {
            return all(kind).stream().filter(o -> name.equals(name(o))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
        }

        List<String> kinds() {
            return objects.stream().map(o -> o.path("kind").asText()).sorted().toList();
        }

        /** The gateway's container of the Deployment. */
        JsonNode container() {
            return one("Deployment").at("/spec/template/spec/containers/0");
        }

        /** The application.yaml the chart renders (data of the ConfigMap the Deployment mounts). */
        String applicationYaml() {
            String configMap = configVolume().at("/configMap/name").asText();
            return one("ConfigMap", configMap).at("/data/application.yaml").asText();
        }

        JsonNode configVolume() {
            for (JsonNode volume : one("Deployment").at("/spec/template/spec/volumes")) {
                if ("config".equals(volume.path("name").asText())) {
                    return volume;
                }
            }
            throw new AssertionError("no volume 'config' in the Deployment");
        }

        /** Value of a Secret key, whether rendered as data (base64) or stringData. */
        Optional<String> secretValue(String secret, String key) {
            return all("Secret").stream().filter(s -> secret.equals(name(s))).findFirst().flatMap(s -> {
                if (s.at("/stringData/" + key).isTextual()) {
                    return Optional.of(s.at("/stringData/" + key).asText());
                }
                JsonNode data = s.at("/data/" + key);
                return data.isTextual()
                        ? Optional.of(new String(java.util.Base64.getDecoder().decode(data.asText()),
                                java.nio.charset.StandardCharsets.UTF_8))
                        : Optional.empty();
            });
        }
    }

    static String name(JsonNode object) {
        return object.at("/metadata/name").asText();
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new java.util.TreeMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
