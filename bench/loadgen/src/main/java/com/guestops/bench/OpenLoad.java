package com.guestops.bench;

import io.hyperfoil.api.config.Benchmark;
import io.hyperfoil.api.config.BenchmarkData;
import io.hyperfoil.api.config.Phase;
import io.hyperfoil.api.statistics.StatisticsSnapshot;
import io.hyperfoil.core.impl.LocalSimulationRunner;
import io.hyperfoil.core.parser.BenchmarkParser;
import io.hyperfoil.http.statistics.HttpStats;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fixed-rate (open-model) latency measurement of one POST endpoint, on Hyperfoil's libraries
 * ({@code io.hyperfoil:hyperfoil-core/-http}) run in this JVM with {@link LocalSimulationRunner}.
 *
 * <p>Two {@code constantRate} phases: {@code warmup}, then {@code test}. A constant-rate phase starts a
 * new session at each scheduled instant whether or not earlier requests have been answered, so a slow
 * server is not given a break by the load generator (no coordinated omission). Hyperfoil times a
 * request from the moment it is written to a connection; a session that finds no free connection
 * waits, and that wait is reported as {@code blocked_ms}. With enough connections ({@code
 * --connections}) nothing waits and every latency counts from the scheduled start; the bench reports
 * {@code blocked_ms} so a run where that did not hold can be seen (and is flagged).
 *
 * <p>Usage: {@code OpenLoad --url http://127.0.0.1:8080 --path /api/... --header 'k: v' --body '...'
 * --rate 2000 --warmup 3 --duration 10 --connections 128 --threads 2 --label gw-vapi --out file.json}
 * Prints and writes one JSON object.
 */
public final class OpenLoad {

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            if (key.equals("header")) {
                headers.add(args[i + 1]);
            } else {
                opt.put(key, args[i + 1]);
            }
        }
        String url = required(opt, "url");
        String path = required(opt, "path");
        String body = opt.getOrDefault("body", "");
        int rate = Integer.parseInt(required(opt, "rate"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "3"));
        int duration = Integer.parseInt(opt.getOrDefault("duration", "10"));
        int connections = Integer.parseInt(opt.getOrDefault("connections", "128"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
        String label = opt.getOrDefault("label", url);

        String yaml = yaml(url, path, headers, body, rate, warmup, duration, connections, threads);
        Benchmark benchmark = BenchmarkParser.instance().buildBenchmark(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), BenchmarkData.EMPTY, Map.of());

        StatisticsSnapshot total = new StatisticsSnapshot();
        LocalSimulationRunner runner = new LocalSimulationRunner(benchmark, (Phase phase, int stepId, String metric,
                StatisticsSnapshot snapshot, io.hyperfoil.core.util.CountDown countDown) -> {
            if (phase.name().equals("test")) {
                synchronized (total) {
                    total.add(snapshot);
                }
            }
        }, null, null);
        long start = System.nanoTime();
        runner.run();
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        // the test phase is the last: it ended here, so its seconds are the duration before this instant (bench.py
        // finds the leg's garbage collections within them in the leg's GC log)
        long endedAtMs = System.currentTimeMillis();

        HttpStats http = HttpStats.get(total);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("label", label);
        out.put("tool", "hyperfoil-0.25.2 constantRate");
        out.put("rate", rate);
        out.put("duration_s", duration);
        out.put("connections", connections);
        out.put("threads", threads);
        out.put("requests", total.requestCount);
        out.put("responses", total.responseCount);
        out.put("status_2xx", http.status_2xx);
        out.put("status_4xx", http.status_4xx);
        out.put("status_5xx", http.status_5xx);
        out.put("invalid", total.invalid);
        out.put("connection_errors", total.connectionErrors);
        out.put("timeouts", total.requestTimeouts);
        out.put("internal_errors", total.internalErrors);
        out.put("blocked_ms", total.blockedTime / 1_000_000.0);
        out.put("achieved_rps", total.requestCount / (double) duration);
        var h = total.histogram;
        out.put("mean_ms", h.getTotalCount() == 0 ? 0 : h.getMean() / 1e6);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            out.put("p" + String.valueOf(p).replace(".0", "").replace(".", "_") + "_ms",
                    h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1e6);
        }
        out.put("max_ms", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e6);
        out.put("wall_s", wallSeconds);
        out.put("ended_at_ms", endedAtMs);
        String json = toJson(out);
        System.out.println(json);
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), json + "\n");
        }
        // Hyperfoil's event loops are non-daemon threads in some versions: leave explicitly
        System.exit(0);
    }

    private static String yaml(String url, String path, List<String> headers, String body, int rate, int warmup,
            int duration, int connections, int threads) {
        StringBuilder scenario = new StringBuilder();
        scenario.append("      scenario:\n")
                .append("      - call:\n")
                .append("        - httpRequest:\n")
                .append("            POST: ").append(quote(path)).append('\n')
                .append("            metric: terminate\n")
                .append("            timeout: 30s\n");
        if (!headers.isEmpty()) {
            scenario.append("            headers:\n");
            for (String header : headers) {
                int colon = header.indexOf(':');
                scenario.append("              ").append(header.substring(0, colon).trim().toLowerCase(Locale.ROOT))
                        .append(": ").append(quote(header.substring(colon + 1).trim())).append('\n');
            }
        }
        if (!body.isEmpty()) {
            scenario.append("            body: ").append(quote(body)).append('\n');
        }
        // a session is one request: up to 1 s worth of sessions in flight (Hyperfoil allocates them all
        // up front); a server slower than that is far past any latency target anyway
        int maxSessions = Math.max(200, rate);
        return "name: openload\n"
                + "threads: " + threads + "\n"
                + "http:\n"
                + "  host: " + url + "\n"
                + "  sharedConnections: " + connections + "\n"
                + "phases:\n"
                + "- warmup:\n"
                + "    constantRate:\n"
                + "      usersPerSec: " + rate + "\n"
                + "      maxSessions: " + maxSessions + "\n"
                + "      duration: " + warmup + "s\n"
                + scenario
                + "- test:\n"
                + "    constantRate:\n"
                + "      startAfter: warmup\n"
                + "      usersPerSec: " + rate + "\n"
                + "      maxSessions: " + maxSessions + "\n"
                + "      duration: " + duration + "s\n"
                + scenario;
    }

    /** YAML single-quoted scalar. */
    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String required(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    private static String toJson(Map<String, Object> map) {
        StringBuilder sb = new StringBuilder("{");
        map.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(k).append("\": ");
            if (v instanceof Number n) {
                sb.append(n instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : n.toString());
            } else {
                sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return sb.append('}').toString();
    }

    private OpenLoad() {
    }

    static {
        // keep Hyperfoil quiet unless something is wrong (bench/loadgen/src/main/resources/log4j2.xml)
        System.setProperty("log4j2.configurationFile", "bench-log4j2.xml");
    }
}
