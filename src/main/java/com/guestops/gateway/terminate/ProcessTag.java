package com.guestops.gateway.terminate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ETag of one process: the same for as long as the same process holds the pid, different once another one
 * does. Made only of what cannot change during a process's life — the VM, the pid and the start time — and never
 * of its name, owner or command line (a process may rename itself or rewrite its arguments; it stays the process
 * the caller saw).
 *
 * <p>Form: {@code "<start in epoch ms, base 36>-<16 hex digits of SHA-256(vm, pid, start)>"}. The first part
 * lets the gateway say what changed (the start time) when a tag no longer matches; the hash ties the tag to this
 * VM and pid, so a tag of another process, VM or pid never matches. Strong comparison only (RFC 9110 §13.1.1):
 * a weak tag ({@code W/"..."}) never matches.
 */
public final class ProcessTag {

    private static final Pattern FORM = Pattern.compile("\"([0-9a-z]{1,14})-([0-9a-f]{16})\"");

    private ProcessTag() {
    }

    /** The ETag header value, quotes included. */
    public static String of(String vm, long pid, Instant started) {
        String identity = vm + '\u0000' + pid + '\u0000' + started;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "\"" + Long.toString(started.toEpochMilli(), 36) + "-" + HexFormat.of().formatHex(digest, 0, 8) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The start time a tag of this form names (to millisecond precision), if it has the form. */
    public static Optional<Instant> startOf(String entityTag) {
        Matcher m = FORM.matcher(entityTag);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(m.group(1), 36)));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
