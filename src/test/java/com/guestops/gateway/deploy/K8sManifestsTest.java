package com.guestops.gateway.deploy;

import static com.guestops.gateway.deploy.Charts.K8S;
import static com.guestops.gateway.deploy.Charts.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plain manifests in k8s/ parse as Kubernetes objects and are the chart rendered with
 * src/test/resources/helm/values-k8s.yaml (same image, ports, probes, security, config...), so the two
 * ways to deploy cannot drift apart. There is no kustomize binary here: the test reads
 * kustomization.yaml itself.
 */
class K8sManifestsTest {

    static final Map<String, String> API_VERSIONS = Map.ofEntries(
            Map.entry("Namespace", "v1"), Map.entry("ServiceAccount", "v1"), Map.entry("Secret", "v1"),
            Map.entry("ConfigMap", "v1"), Map.entry("Service", "v1"), Map.entry("Deployment", "apps/v1"),
            Map.entry("PodDisruptionBudget", "policy/v1"), Map.entry("HorizontalPodAutoscaler", "autoscaling/v2"),
            Map.entry("NetworkPolicy", "networking.k8s.io/v1"),
            Map.entry("ServiceMonitor", "monitoring.coreos.com/v1"),
            Map.entry("PrometheusRule", "monitoring.coreos.com/v1"));
    /** Objects only the plain manifests have: the chart does not create namespaces. */
    static final List<String> K8S_ONLY = List.of("Namespace");
    /** The overlay that adds the host-password Secret, generated from a file the user writes. */
    static final Path SECRET_OVERLAY = K8S.resolve("with-secret-from-file");

    /** The overlay that serves callers HTTPS: the chart's tls mode, as JSON patches on k8s/. */
    static final Path HTTPS_OVERLAY = K8S.resolve("with-https");
    /** What the HTTPS overlay corresponds to: values-k8s.yaml plus these. */
    static final Map<String, Object> HTTPS_VALUES = Map.of("tls.enabled", true, "tls.secretName", "guestops-gateway-tls");

    static JsonNode kustomization;
    static List<JsonNode> objects;
    static Charts.Rendered chart;

    @BeforeAll
    static void load() {
        kustomization = Charts.readYaml(K8S.resolve("kustomization.yaml"));
        objects = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path file = K8S.resolve(resource.asText());
            assertThat(file).as("kustomization resource").exists();
            try {
                objects.addAll(Charts.parseAll(Files.readString(file)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        chart = Charts.template("guestops-gateway", "guestops", Charts.VALUES.resolve("values-k8s.yaml"));
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        assertThat(kustomization.path("apiVersion").asText()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        TreeSet<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(K8S)) {
            assertThat(files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
    }

    @Test
    void everyManifestIsAKubernetesObject() {
        assertThat(objects).extracting(o -> o.path("kind").asText()).containsExactlyInAnyOrder(
                "Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service",
                "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor", "PrometheusRule");
        String namespace = kustomization.path("namespace").asText();
        assertThat(namespace).isEqualTo("guestops");
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            assertThat(o.path("apiVersion").asText()).as(kind).isEqualTo(API_VERSIONS.get(kind));
            assertThat(name(o)).as(kind).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
            if (!kind.equals("Namespace")) {
                assertThat(o.at("/metadata/namespace").asText()).as(kind).isEqualTo(namespace);
                assertThat(o.at("/metadata/labels/app.kubernetes.io~1name").asText()).as(kind).isEqualTo("guestops-gateway");
            }
            assertThat(o.has("spec") || o.has("data") || o.has("stringData") || kind.equals("ServiceAccount")
                    || kind.equals("Namespace")).as(kind + " has content").isTrue();
        }
        assertThat(one("Namespace").at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText())
                .isEqualTo("restricted");
    }

    @Test
    void manifestsAreTheChartRenderedWithTheK8sValues() {
        for (JsonNode object : objects) {
            String kind = object.path("kind").asText();
            if (K8S_ONLY.contains(kind)) {
                continue;
            }
            JsonNode rendered = chart.one(kind, name(object));
            List<String> differences = new ArrayList<>();
            diff("", normalize(object), normalize(rendered), differences);
            assertThat(differences)
                    .as("k8s/ %s %s differs from the chart rendered with values-k8s.yaml (k8s/ value vs chart value)",
                            kind, name(object))
                    .isEmpty();
        }
        assertThat(chart.objects()).extracting(o -> o.path("kind").asText() + "/" + name(o))
                .as("every chart object has its manifest")
                .containsExactlyInAnyOrderElementsOf(objects.stream()
                        .filter(o -> !K8S_ONLY.contains(o.path("kind").asText()))
                        .map(o -> o.path("kind").asText() + "/" + name(o)).toList());
    }

    @Test
    void sameImagePortsAndProbesAsTheChart() {
        JsonNode container = one("Deployment").at("/spec/template/spec/containers/0");
        JsonNode rendered = chart.container();
        for (String field : List.of("image", "ports", "startupProbe", "livenessProbe", "readinessProbe",
                "securityContext", "resources", "volumeMounts", "workingDir")) {
            assertThat(container.path(field)).as(field).isEqualTo(rendered.path(field));
        }
        String image = container.path("image").asText();
        JsonNode kImage = kustomization.at("/images/0");
        assertThat(image).isEqualTo(kImage.path("name").asText() + ":" + kImage.path("newTag").asText());
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(one("ServiceMonitor").at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(one("HorizontalPodAutoscaler").at("/spec/minReplicas").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theDefaultKustomizationAppliesNoSecret() throws IOException {
        // kubectl apply -k k8s/ must never apply placeholder passwords: the Secret comes from the user
        assertThat(objects).extracting(o -> o.path("kind").asText()).doesNotContain("Secret");
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain("CHANGE-ME");
            }
        }
    }

    @Test
    void everyHostPasswordComesFromTheSecretTheOverlayGenerates() throws IOException {
        JsonNode overlay = Charts.readYaml(SECRET_OVERLAY.resolve("kustomization.yaml"));
        assertThat(overlay.path("resources").toString()).isEqualTo("[\"..\"]");
        JsonNode generator = overlay.at("/secretGenerator/0");
        String envFile = generator.at("/envs/0").asText();
        assertThat(overlay.at("/generatorOptions/disableNameSuffixHash").asBoolean())
                .as("no hash of the passwords in the Secret's name").isTrue();
        // the file with the real passwords is never committed; an example lists the keys to fill in
        assertThat(Files.readString(Charts.ROOT.resolve(".gitignore"))).contains("k8s/with-secret-from-file/" + envFile);
        java.util.Set<String> exampleKeys = new TreeSet<>();
        for (String line : Files.readAllLines(SECRET_OVERLAY.resolve(envFile + ".example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(line).as("no password in the example").endsWith("=");
                exampleKeys.add(line.substring(0, line.indexOf('=')));
            }
        }

        String config = one("ConfigMap").at("/data/application.yaml").asText();
        assertThat(Charts.parseYaml(config).at("/gateway/hosts").size()).isPositive();
        java.util.Set<String> referencedKeys = new TreeSet<>();
        for (JsonNode env : one("Deployment").at("/spec/template/spec/containers/0/env")) {
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            if (ref.isMissingNode()) {
                assertThat(env.path("name").asText()).doesNotContain("PASSWORD");
                continue;
            }
            assertThat(ref.path("name").asText()).isEqualTo(generator.path("name").asText());
            referencedKeys.add(ref.path("key").asText());
            assertThat(config).contains("${" + env.path("name").asText() + "}");
        }
        assertThat(exampleKeys).isEqualTo(referencedKeys);
    }

    /**
     * k8s/with-https is k8s/ with JSON patches (kustomize's RFC 6902 {@code patches}), and the result is the chart
     * rendered in its tls mode: the plain manifests' users get HTTPS without Helm, and it cannot drift from the chart.
     */
    @Test
    void theHttpsOverlayIsTheChartInItsTlsMode() {
        JsonNode overlay = Charts.readYaml(HTTPS_OVERLAY.resolve("kustomization.yaml"));
        assertThat(overlay.path("resources").toString()).isEqualTo("[\"..\"]");
        List<JsonNode> patched = new ArrayList<>();
        for (JsonNode object : objects) {
            ObjectNode copy = object.deepCopy();
            for (JsonNode patch : overlay.path("patches")) {
                JsonNode target = patch.path("target");
                if (target.path("kind").asText().equals(copy.path("kind").asText())
                        && target.path("name").asText().equals(name(copy))) {
                    JsonPatches.apply(copy, Charts.parseYaml(patch.path("patch").asText()));
                }
            }
            patched.add(copy);
        }
        Charts.Rendered https = Charts.template("guestops-gateway", "guestops", Charts.VALUES.resolve("values-k8s.yaml"),
                HTTPS_VALUES);
        List<String> differences = new ArrayList<>();
        for (JsonNode object : patched) {
            String kind = object.path("kind").asText();
            if (!K8S_ONLY.contains(kind)) {
                diff(kind + "/" + name(object), normalize(object), normalize(https.one(kind, name(object))), differences);
            }
        }
        assertThat(differences).as("k8s/with-https vs the chart with tls.enabled (overlay value vs chart value)").isEmpty();
        assertThat(https.objects()).extracting(o -> o.path("kind").asText() + "/" + name(o))
                .as("the tls mode adds no object the overlay lacks")
                .containsExactlyInAnyOrderElementsOf(patched.stream().filter(o -> !K8S_ONLY.contains(o.path("kind").asText()))
                        .map(o -> o.path("kind").asText() + "/" + name(o)).toList());
    }

    private static JsonNode one(String kind) {
        List<JsonNode> found = objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    /** Collects "path: k8s value vs chart value" for every leaf that differs. */
    private static void diff(String path, JsonNode k8s, JsonNode chart, List<String> out) {
        if (k8s.isObject() && chart.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            k8s.fieldNames().forEachRemaining(keys::add);
            chart.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                diff(path + "/" + key, k8s.path(key), chart.path(key), out);
            }
        } else if (k8s.isArray() && chart.isArray() && k8s.size() == chart.size()) {
            for (int i = 0; i < k8s.size(); i++) {
                diff(path + "/" + i, k8s.get(i), chart.get(i), out);
            }
        } else if (!k8s.equals(chart)) {
            out.add(path + ": " + k8s + " vs " + chart);
        }
    }

    /** Drops what only Helm adds: its labels and the config checksum; parses application.yaml. */
    private static JsonNode normalize(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        for (String path : List.of("/metadata/labels", "/spec/template/metadata/labels")) {
            if (copy.at(path) instanceof ObjectNode labels) {
                labels.remove(List.of("helm.sh/chart", "app.kubernetes.io/managed-by"));
            }
        }
        if (copy.at("/spec/template/metadata/annotations") instanceof ObjectNode annotations) {
            annotations.remove("checksum/config");
            if (annotations.isEmpty()) {
                ((ObjectNode) copy.at("/spec/template/metadata")).remove("annotations");
            }
        }
        if (copy.at("/data/application.yaml").isTextual()) {
            ((ObjectNode) copy.get("data")).set("application.yaml",
                    Charts.parseYaml(copy.at("/data/application.yaml").asText()));
        }
        return copy;
    }
}
