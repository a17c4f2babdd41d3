package com.guestops.gateway.host.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import com.guestops.gateway.error.ErrorType;

/**
 * What an embedded simulator host pretends to run: guest users, processes and VMs. Read from a JSON
 * document so tests and users can describe their own VMs (see {@code simulator/demo-inventory.json}).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SimulatorInventory(
        @JsonProperty("users") List<User> users,
        @JsonProperty("saml-tokens") Map<String, String> samlTokens,
        @JsonProperty("processes") List<ProcessRange> processes,
        @JsonProperty("vms") Map<String, Vm> vms) {

    public SimulatorInventory {
        users = users == null ? List.of() : List.copyOf(users);
        samlTokens = samlTokens == null ? Map.of() : Map.copyOf(samlTokens);
        processes = processes == null ? List.of() : List.copyOf(processes);
        vms = vms == null ? Map.of() : Map.copyOf(vms);
    }

    /** A guest account; it may terminate processes whose pid is at least {@code minPid}. */
    public record User(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty(value = "password", required = true) String password,
            @JsonProperty("min-pid") Long minPid) {
        public long effectiveMinPid() {
            return minPid == null ? 1 : minPid;
        }

        @Override
        public String toString() {
            return "User[name=" + name + ", password=****, minPid=" + minPid + "]";
        }
    }

    /**
     * A range of pids that exist in every running guest, all with the same {@code name}, {@code owner} and
     * {@code command} (what a process lookup answers; defaults: {@code process}, {@code root}, {@code /usr/bin/<name>}).
     */
    public record ProcessRange(
            @JsonProperty(value = "from", required = true) long from,
            @JsonProperty(value = "to", required = true) long to,
            @JsonProperty(value = "kind", required = true) ProcessKind kind,
            @JsonProperty("name") String name,
            @JsonProperty("owner") String owner,
            @JsonProperty("command") String command) {
        public ProcessRange {
            name = name == null ? "process" : name;
            owner = owner == null ? "root" : owner;
            command = command == null ? "/usr/bin/" + name : command;
        }

        public ProcessRange(long from, long to, ProcessKind kind) {
            this(from, to, kind, null, null, null);
        }

        boolean contains(long pid) {
            return pid >= from && pid <= to;
        }
    }

    public enum ProcessKind {
        /** Exists once: the first delete kills it, later deletes find nothing. */
        @JsonProperty("one-shot") ONE_SHOT,
        /** A supervised worker that is restarted at once (a new process, started now): every delete succeeds. */
        @JsonProperty("respawning") RESPAWNING
    }

    public enum PowerState {
        @JsonProperty("on") ON,
        @JsonProperty("off") OFF,
        @JsonProperty("suspended") SUSPENDED
    }

    /**
     * One VM. {@code busy}: out of every {@code cycle} calls, the first {@code busyCalls} answer
     * {@code resource_busy}. {@code interactiveUsers}: users logged in on the guest's desktop.
     * {@code failWith}: a vAPI error type (e.g. {@code error}) every call to this VM answers with.
     * {@code delayMs}: how long every answer takes (a slow host, without blocking anything).
     * {@code transportFault}: a network failure instead of an answer, for some calls.
     */
    public record Vm(
            @JsonProperty("power-state") PowerState powerState,
            @JsonProperty("tools-running") Boolean toolsRunning,
            @JsonProperty("process-control") Boolean processControl,
            @JsonProperty("busy") Busy busy,
            @JsonProperty("interactive-users") List<String> interactiveUsers,
            @JsonProperty("fail-with") String failWith,
            @JsonProperty("delay-ms") Long delayMs,
            @JsonProperty("transport-fault") TransportFault transportFault) {
        public Vm {
            delayMs = delayMs == null ? 0 : delayMs;
            if (failWith != null) {
                ErrorType.fromWireName(failWith); // refuse a typo at load time
            }
            powerState = powerState == null ? PowerState.ON : powerState;
            toolsRunning = toolsRunning == null || toolsRunning;
            processControl = processControl == null || processControl;
            interactiveUsers = interactiveUsers == null ? List.of() : List.copyOf(interactiveUsers);
        }
    }

    public record Busy(
            @JsonProperty(value = "cycle", required = true) int cycle,
            @JsonProperty(value = "busy-calls", required = true) int busyCalls) {
        public Busy {
            if (cycle < 1 || busyCalls < 0 || busyCalls > cycle) {
                throw new IllegalArgumentException("busy needs 0 <= busy-calls <= cycle and cycle >= 1");
            }
        }
    }

    /** Out of every {@code cycle} calls, the first {@code faultyCalls} fail with {@code kind} instead of answering. */
    public record TransportFault(
            @JsonProperty(value = "kind", required = true) FaultKind kind,
            @JsonProperty("cycle") Integer cycle,
            @JsonProperty("faulty-calls") Integer faultyCalls) {
        public TransportFault {
            cycle = cycle == null ? 1 : cycle;
            faultyCalls = faultyCalls == null ? cycle : faultyCalls;
        }
    }

    public enum FaultKind {
        /** Nothing was sent: the connection was refused (safe to retry). */
        @JsonProperty("connection-refused") CONNECTION_REFUSED,
        /** The request was sent, then the connection dropped: the outcome is unknown. */
        @JsonProperty("reset") RESET,
        /** The request was sent and no answer ever comes. */
        @JsonProperty("hang") HANG
    }

    /** Loads an inventory from {@code classpath:path} or a file path. */
    public static SimulatorInventory load(String location, ObjectMapper mapper) {
        try (InputStream in = open(location)) {
            return mapper.readValue(in, SimulatorInventory.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read simulator inventory " + location + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("no such classpath resource");
            }
            return in;
        }
        return Files.newInputStream(Path.of(location));
    }
}
