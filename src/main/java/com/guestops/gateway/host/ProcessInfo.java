package com.guestops.gateway.host;

import java.time.Instant;
import java.util.Objects;

/**
 * What a host tells about one guest process: the vSphere Automation API's {@code Vcenter.Vm.Guest.Processes.Info}
 * ({@code name}, {@code owner}, {@code command}, {@code started}, and {@code finished} / {@code exit_code} for a
 * process started by guest operations that has recently ended). vim25's {@code GuestProcessInfo} carries the same
 * facts as {@code name}, {@code owner}, {@code cmdLine}, {@code startTime}, {@code endTime}, {@code exitCode}.
 *
 * @param finished null while the process runs
 * @param exitCode null while the process runs
 */
public record ProcessInfo(String name, String owner, String command, Instant started, Instant finished, Long exitCode) {

    public ProcessInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(started, "started");
    }

    /** A process the host still lists although it has ended: not one that can be killed. */
    public boolean ended() {
        return finished != null || exitCode != null;
    }
}
