package com.guestops.gateway.terminate;

import java.util.List;

/**
 * A conditional delete's {@code If-Match}: kill only the process the caller saw ({@code entityTags}, as the
 * lookup's {@code ETag} gave them, quotes included), or any live process with the pid ({@code *}).
 *
 * @param anyProcess {@code If-Match: *}
 * @param entityTags the listed entity-tags, as sent ({@code "..."} or {@code W/"..."}); empty for {@code *}
 */
public record Precondition(boolean anyProcess, List<String> entityTags) {

    public static final Precondition ANY = new Precondition(true, List.of());

    public Precondition {
        entityTags = List.copyOf(entityTags);
    }

    public static Precondition anyOf(List<String> entityTags) {
        return new Precondition(false, entityTags);
    }

    /** For the audit line: {@code any} or {@code etag}. */
    public String kind() {
        return anyProcess ? "any" : "etag";
    }
}
