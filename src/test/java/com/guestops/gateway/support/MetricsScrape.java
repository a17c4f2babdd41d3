package com.guestops.gateway.support;

import static com.guestops.gateway.support.Management.given;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of {@code /q/metrics} (on the management port), parsed from the Prometheus text exposition format into samples,
 * so tests compare exact values of exact series instead of searching the page for strings.
 */
public final class MetricsScrape {

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final String text;
    private final List<Sample> samples;

    private MetricsScrape(String text) {
        this.text = text;
        this.samples = parse(text);
    }

    public static MetricsScrape take() {
        return new MetricsScrape(given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString());
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    static List<Sample> parse(String text) {
        List<Sample> result = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches()) {
                throw new IllegalStateException("Unparseable exposition line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            result.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return result;
    }

    /** Sum of the samples of {@code name} whose labels include all of {@code labels} (0 when none). */
    public double value(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value)
                .sum();
    }

    public double value(String name, String... labelPairs) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return value(name, labels);
    }

    /** The change of a series between an earlier scrape and this one. */
    public double delta(MetricsScrape before, String name, String... labelPairs) {
        return value(name, labelPairs) - before.value(name, labelPairs);
    }
}
