package com.guestops.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.HttpEdgeConfig;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.security.AuthConfig;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation true without booting the application: links and anchors resolve, every
 * document is reachable from the README (which stays short), the configuration reference and the metric
 * list match the code, request examples carry {@code interactive_session}, and the references that code,
 * chart and manifests make to the documents point at files and sections that exist.
 *
 * <p>The README's runnable examples are checked by {@link ReadmeExamplesTest}.
 */
class DocsLinksTest {

    static final Path README = Path.of("README.md");
    static final int README_MAX_BYTES = 12 * 1024;

    private static final Pattern LINK = Pattern.compile("\\[(?:[^\\]\\[]|\\[[^\\]]*\\])*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** README.md, every docs/*.md, bench/README.md and bench/HISTORY.md. */
    static List<Path> documents() {
        List<Path> docs = new ArrayList<>();
        docs.add(README);
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        docs.add(Path.of("bench/README.md"));
        docs.add(Path.of("bench/HISTORY.md"));
        return docs;
    }

    // ---- links, anchors, reachability, size -----------------------------------------------------------

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        List<String> problems = new ArrayList<>();
        for (Path doc : documents()) {
            for (String target : links(doc)) {
                resolve(doc, target).ifPresent(problems::add);
            }
        }
        assertThat(problems).as("dangling links").isEmpty();
    }

    @Test
    void everyDocumentIsReachableFromTheReadme() {
        Set<Path> reached = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>(List.of(README.normalize()));
        while (!todo.isEmpty()) {
            Path doc = todo.pop();
            if (!reached.add(doc) || !Files.isRegularFile(doc) || !doc.toString().endsWith(".md")) {
                continue;
            }
            for (String target : links(doc)) {
                String path = target.split("#", 2)[0];
                if (!path.isEmpty() && !isExternal(target)) {
                    todo.add(normalize(doc.resolveSibling(path)));
                }
            }
        }
        assertThat(documents().stream().map(DocsLinksTest::normalize).filter(d -> !reached.contains(d)).toList())
                .as("documents no chain of links from README.md reaches").isEmpty();
    }

    @Test
    void readmeStaysShort() throws IOException {
        assertThat(Files.size(README)).as("README.md bytes (reference material goes to docs/)")
                .isLessThanOrEqualTo(README_MAX_BYTES);
    }

    @Test
    void readmeKeepsTheSetUpCommandsVerbatim() throws IOException {
        String readme = Files.readString(README);
        int fence = readme.indexOf("```bash\n");
        String firstBlock = readme.substring(fence, readme.indexOf("```\n", fence + 8));
        // .ci/run runs the test command verbatim, and .ci/newcomer-check runs the run command (the first
        // "./mvnw ... quarkus:run" line) exactly as written here
        assertThat(firstBlock).containsPattern("\n\\./mvnw [^\n]*quarkus:run\n").contains("\n./mvnw -B verify\n");
        assertThat(Files.readString(Path.of(".ci/run"))).contains("./mvnw -B verify").contains(".ci/newcomer-check");
    }

    // ---- what the documents say matches the code ----------------------------------------------------

    @Test
    void configurationTablesMatchTheConfigMappings() throws IOException {
        Map<String, Optional<String>> properties = new TreeMap<>();
        collect(GatewayConfig.class, "gateway.", properties);
        collect(AuthConfig.class, "gateway.auth.", properties);
        collect(HttpEdgeConfig.class, "gateway.http.", properties);
        Map<String, List<Documented>> documented = documentedProperties();
        List<String> problems = new ArrayList<>();
        properties.forEach((name, defaultValue) -> {
            List<Documented> rows = documented.getOrDefault(name, List.of());
            if (rows.isEmpty()) {
                problems.add(name + " is not in any property table of docs/");
            }
            defaultValue.ifPresent(expected -> rows.stream()
                    .filter(row -> !expected.equals(row.defaultValue()))
                    .forEach(row -> problems.add(name + ": " + row.where() + " says default " + row.defaultValue()
                            + ", the code says " + expected)));
        });
        documented.keySet().stream()
                .filter(name -> !properties.containsKey(name))
                .forEach(name -> problems.add(name + " is documented in " + documented.get(name).get(0).where()
                        + " but is not a property of the gateway"));
        assertThat(problems).as("configuration reference vs GatewayConfig / AuthConfig").isEmpty();
    }

    @Test
    void perHostResilienceOverridesAreDescribedAsTheyAre() throws IOException {
        Map<String, Optional<String>> global = new TreeMap<>();
        collect(GatewayConfig.Resilience.class, "", global);
        Map<String, Optional<String>> overridable = new TreeMap<>();
        collect(GatewayConfig.ResilienceOverrides.class, "", overridable);
        assertThat(global.keySet()).as("per-host overrides are a subset of gateway.resilience.*")
                .containsAll(overridable.keySet());
        String sentence = Files.readString(Path.of("docs/resilience.md")).lines()
                .filter(l -> l.contains("overridden per host")).findFirst().orElse("");
        for (String notOverridable : global.keySet()) {
            if (overridable.containsKey(notOverridable)) {
                continue;
            }
            String group = notOverridable.contains(".") ? notOverridable.substring(0, notOverridable.indexOf('.')) + ".*" : "";
            assertThat(sentence.contains("`" + notOverridable + "`") || sentence.contains("`" + group + "`"))
                    .as("docs/resilience.md names %s among the settings that cannot be overridden per host: %s",
                            notOverridable, sentence)
                    .isTrue();
        }
    }

    @Test
    void everyMetricIsDocumentedAndEveryDocumentedMetricExists() throws IOException {
        Pattern registered = Pattern.compile("\\b(?:counter|builder|gauge)\\(\\s*\"(guestops\\.[a-z.]+)\"");
        Set<String> metrics = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = registered.matcher(Files.readString(source));
                while (m.find()) {
                    metrics.add(m.group(1).replace('.', '_'));
                }
            }
        }
        assertThat(metrics).as("metrics registered in src/main").isNotEmpty();
        String observability = Files.readString(Path.of("docs/observability.md"));
        List<String> problems = new ArrayList<>();
        metrics.stream().filter(name -> !observability.contains("`" + name))
                .forEach(name -> problems.add(name + " is registered but not in docs/observability.md"));
        // as Prometheus shows them: counters end in _total, timers in _seconds (_bucket, _sum, _count, _max)
        Pattern mentioned = Pattern.compile("\\bguestops_[a-z_]+");
        // a name a document defines itself (a prometheus-adapter rule's "as: <name>") is not the gateway's
        Pattern defined = Pattern.compile("\\bas:\\s*(guestops_[a-z_]+)");
        for (Path doc : documents()) {
            String text = Files.readString(doc);
            Set<String> own = new HashSet<>();
            defined.matcher(text).results().forEach(r -> own.add(r.group(1)));
            Matcher m = mentioned.matcher(text);
            while (m.find()) {
                String base = m.group().replaceAll("_total$", "").replaceAll("_seconds(_bucket|_sum|_count|_max)?$", "");
                if (!metrics.contains(base) && !own.contains(m.group())) {
                    problems.add(doc + " names " + m.group() + ", which the code does not register");
                }
            }
        }
        assertThat(problems).as("metric names in the docs vs the code").isEmpty();
    }

    @Test
    void requestExamplesCarryInteractiveSession() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path doc : documents()) {
            String text = Files.readString(doc);
            Matcher m = Pattern.compile("\"credentials\"\\s*:\\s*\\{").matcher(text);
            while (m.find()) {
                int depth = 0;
                int end = m.end() - 1;
                do {
                    char c = text.charAt(end++);
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                } while (depth > 0 && end < text.length());
                String credentials = text.substring(m.start(), end);
                if (!credentials.contains("interactive_session")) {
                    missing.add(doc + ": " + credentials);
                }
            }
        }
        assertThat(missing).as("request bodies without interactive_session (VMware's schemas mark it required)").isEmpty();
    }

    // ---- references from code, chart and manifests ----------------------------------------------------

    @Test
    void referencesToTheDocumentsResolve() throws IOException {
        Pattern docRef = Pattern.compile("\\b((?:docs/[a-z0-9-]+|bench/README|bench/HISTORY)\\.md)(?:\\s*,\\s*\"([^\"\\\\]+)\"|\\s+\\(\"([^\"\\\\]+)\"\\))?");
        Pattern stale = Pattern.compile("DESIGN\\s*§|README,?\\s+\\\\?\"");
        List<String> problems = new ArrayList<>();
        List<Path> roots = List.of(Path.of("src/main"), Path.of("src/test/java"), Path.of("src/test/resources/helm"),
                Path.of("helm"), Path.of("k8s"));
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(file);
                    Matcher s = stale.matcher(text);
                    while (s.find()) {
                        problems.add(file + ": cites '" + s.group() + "…', a section that is not in the repository (use docs/…)");
                    }
                    Matcher m = docRef.matcher(text);
                    while (m.find()) {
                        Path target = Path.of(m.group(1));
                        String section = m.group(2) != null ? m.group(2) : m.group(3);
                        if (!Files.isRegularFile(target)) {
                            problems.add(file + ": cites " + target + ", which does not exist");
                        } else if (section != null && !headings(target).contains(section)) {
                            problems.add(file + ": cites section \"" + section + "\" of " + target + ", which has no such heading");
                        }
                    }
                }
            }
        }
        assertThat(problems).as("references to documents").isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** Link targets of a Markdown document, outside fenced code blocks. */
    static List<String> links(Path doc) {
        List<String> targets = new ArrayList<>();
        for (String line : prose(doc)) {
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** A problem with one link target, if any. */
    static Optional<String> resolve(Path doc, String target) {
        if (isExternal(target)) {
            return Optional.empty();
        }
        String[] parts = target.split("#", 2);
        Path file = parts[0].isEmpty() ? doc : doc.resolveSibling(parts[0]);
        if (!Files.exists(file)) {
            return Optional.of(doc + ": link to " + target + ": no file " + normalize(file));
        }
        if (parts.length == 2) {
            if (!file.toString().endsWith(".md")) {
                return Optional.of(doc + ": link to " + target + ": anchors only into Markdown documents");
            }
            if (!anchors(file).contains(parts[1])) {
                return Optional.of(doc + ": link to " + target + ": no heading with anchor #" + parts[1] + " in "
                        + normalize(file) + " (there are " + anchors(file) + ")");
            }
        }
        return Optional.empty();
    }

    static boolean isExternal(String target) {
        return target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    }

    static Path normalize(Path p) {
        return p.normalize();
    }

    /** Lines outside fenced code blocks. */
    static List<String> prose(Path doc) {
        List<String> lines = new ArrayList<>();
        boolean inFence = false;
        try {
            for (String line : Files.readAllLines(doc)) {
                if (FENCE.matcher(line).find()) {
                    inFence = !inFence;
                } else if (!inFence) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    static List<String> headings(Path doc) {
        List<String> headings = new ArrayList<>();
        for (String line : prose(doc)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                headings.add(m.group(2));
            }
        }
        return headings;
    }

    /** The anchors GitHub gives the document's headings (duplicates get -1, -2, ...). */
    static Set<String> anchors(Path doc) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String heading : headings(doc)) {
            String slug = slug(heading);
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link in a heading: its text
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** One row of a property table: the default it names, and where it is. */
    record Documented(String defaultValue, String where) {
    }

    /**
     * The {@code gateway.*} properties named in the property tables of docs/ (tables whose first header
     * cell starts with "property"; a header like "property (`gateway.discovery.` …)" prefixes its rows),
     * with the default each row gives, aligned by position ("`a` / `b`" | "`1s` / `2s`").
     */
    static Map<String, List<Documented>> documentedProperties() throws IOException {
        Map<String, List<Documented>> documented = new TreeMap<>();
        for (Path doc : documents()) {
            List<String> lines = prose(doc);
            String prefix = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (!line.startsWith("|")) {
                    prefix = null;
                    continue;
                }
                List<String> cells = cells(line);
                boolean header = i + 1 < lines.size() && lines.get(i + 1).trim().startsWith("|---");
                if (header) {
                    prefix = cells.get(0).startsWith("property") ? codeSpans(cells.get(0)).stream().findFirst().orElse("") : null;
                    continue;
                }
                if (prefix == null || line.startsWith("|---")) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                String previous = null;
                for (String token : codeSpans(cells.get(0))) {
                    String name;
                    if (token.startsWith(".") && previous != null) {
                        name = previous.substring(0, previous.lastIndexOf('.')) + token;
                    } else {
                        name = token.startsWith("gateway.") ? token : prefix + token;
                    }
                    names.add(name);
                    previous = name;
                }
                List<String> defaults = cells.size() > 1 ? codeSpans(cells.get(1)) : List.of();
                for (int n = 0; n < names.size(); n++) {
                    String name = names.get(n);
                    if (!name.startsWith("gateway.")) {
                        continue;
                    }
                    String defaultValue = defaults.size() == names.size() ? defaults.get(n)
                            : defaults.isEmpty() ? "(none)" : String.join(" / ", defaults);
                    documented.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(new Documented(defaultValue, doc + " (" + cells.get(0) + ")"));
                }
            }
        }
        return documented;
    }

    static List<String> cells(String row) {
        String inner = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length());
        return Stream.of(inner.split("\\|", -1)).map(String::trim).collect(Collectors.toList());
    }

    static List<String> codeSpans(String text) {
        List<String> spans = new ArrayList<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    /**
     * The leaf properties of a {@code @ConfigMapping} interface with their defaults: maps get a
     * placeholder key ({@code <name>} for hosts, {@code <vm-id>} for the VM directory), lists of groups
     * an index ({@code [i]}); the per-host resilience overrides are checked separately.
     */
    static void collect(Class<?> mapping, String prefix, Map<String, Optional<String>> out) {
        for (Method method : mapping.getDeclaredMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String name = prefix + (withName != null ? withName.value() : kebab(method.getName()));
            if (method.getReturnType() == GatewayConfig.ResilienceOverrides.class) {
                continue;
            }
            Type type = method.getGenericReturnType();
            Class<?> raw = raw(type);
            if (raw == Optional.class) {
                type = argument(type, 0);
                raw = raw(type);
            }
            if (raw == Map.class) {
                String key = name.equals("gateway.hosts") ? "<name>" : name.equals("gateway.vms") ? "<vm-id>" : "<key>";
                Class<?> value = raw(argument(type, 1));
                if (isGroup(value)) {
                    collect(value, name + "." + key + ".", out);
                } else {
                    out.put(name + "." + key, Optional.empty());
                }
            } else if (raw == List.class && isGroup(raw(argument(type, 0)))) {
                collect(raw(argument(type, 0)), name + "[i].", out);
            } else if (isGroup(raw)) {
                collect(raw, name + ".", out);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                out.put(name, Optional.ofNullable(withDefault).map(WithDefault::value));
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("com.guestops.");
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    private static Type argument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
