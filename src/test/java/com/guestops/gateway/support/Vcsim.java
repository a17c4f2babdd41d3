package com.guestops.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real vim25 server for the suite: govmomi's vCenter simulator ({@code src/test/go/vcsim/main.go}),
 * built once into {@code target/vcsim/} with Debian's {@code golang-go} and
 * {@code golang-github-vmware-govmomi-dev} (GOPATH mode; {@code .ci/run} installs both), started on a
 * loopback port for the whole test run (global scope, like {@link HostMocks}: one Quarkus boot).
 *
 * <p>It hands Quarkus the server's URL ({@value #URL}) and maps the first VM of its inventory to the
 * test host {@code vcsim} and the third to {@code vcsim-badpw} (the same server, a wrong service-account
 * password); the second VM is left to discovery. It stops when the test run ends, and on its own when
 * this JVM goes away (it exits when its standard input closes).
 */
public class Vcsim implements QuarkusTestResourceLifecycleManager {

    public static final String URL = "test.vcsim.url";
    public static final String USER = "svc-vcsim";
    /** The service-account password of host {@code vcsim}, XML special characters included. */
    public static final String PASSWORD = "Vcsim-Pa55<&>w0rd";
    public static final String MAPPED_VM = "test.vcsim.vm";
    static final String DISCOVERED_VM = "test.vcsim.discovered-vm";
    static final String BADPW_VM = "test.vcsim.badpw-vm";
    private static final Path SOURCE = Path.of("src/test/go/vcsim/main.go");
    private static final Path BINARY = Path.of("target/vcsim/vcsim");
    private static final String GOPATH = "/usr/share/gocode";

    private Process process;

    @Override
    public Map<String, String> start() {
        try {
            build();
            process = new ProcessBuilder(BINARY.toString(), "-username", USER, "-password", PASSWORD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("vcsim exited before saying where it listens");
            }
            JsonNode started = new ObjectMapper().readTree(line);
            List<String> vms = new ArrayList<>();
            started.path("vms").forEach(v -> vms.add(v.asText()));
            if (vms.size() < 3) {
                throw new IllegalStateException("vcsim's inventory has fewer than 3 VMs: " + vms);
            }
            Map<String, String> config = new LinkedHashMap<>();
            config.put(URL, started.path("url").asText());
            config.put(MAPPED_VM, vms.get(0));
            config.put(DISCOVERED_VM, vms.get(1));
            config.put(BADPW_VM, vms.get(2));
            config.put("gateway.vms." + vms.get(0), "vcsim");
            config.put("gateway.vms." + vms.get(2), "vcsim-badpw");
            return config;
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("Cannot start vcsim (src/test/go/vcsim): " + e.getMessage(), e);
        }
    }

    /** {@code go build}, unless the binary is newer than its source. */
    private static void build() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return;
        }
        if (!Files.isDirectory(Path.of(GOPATH, "src/github.com/vmware/govmomi/simulator"))) {
            throw new IllegalStateException("govmomi is not installed under " + GOPATH
                    + " (apt-get install golang-go golang-github-vmware-govmomi-dev; .ci/run does it)");
        }
        Files.createDirectories(BINARY.getParent());
        ProcessBuilder go = new ProcessBuilder("go", "build", "-o", BINARY.toString(), SOURCE.toString())
                .redirectErrorStream(true);
        go.environment().put("GOPATH", GOPATH);
        go.environment().put("GO111MODULE", "off");
        go.environment().put("GOFLAGS", "");
        go.environment().put("GOCACHE", new File("target/go-build").getAbsolutePath());
        Process build;
        try {
            build = go.start();
        } catch (IOException e) {
            throw new IllegalStateException("go is not installed (apt-get install golang-go; .ci/run does it)", e);
        }
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
            throw new IllegalStateException("go build of " + SOURCE + " failed:\n" + output);
        }
    }

    @Override
    public void stop() {
        if (process == null) {
            return;
        }
        try {
            process.getOutputStream().close(); // vcsim exits when its standard input closes
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
