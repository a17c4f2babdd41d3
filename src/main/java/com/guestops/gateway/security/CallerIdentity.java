package com.guestops.gateway.security;

import java.util.Set;
import java.util.TreeSet;

/**
 * Who is asking: the verified subject of the caller's bearer token and its groups. Never holds the
 * token itself, so it is safe to log and to pass to the audit log.
 *
 * @param subject       the token's {@code sub} claim, or {@value #ANONYMOUS_SUBJECT} when callers are not checked
 * @param groups        the token's {@code groups} claim (roles), sorted
 * @param authenticated false when authentication is off (relaxed demo or disabled)
 */
public record CallerIdentity(String subject, Set<String> groups, boolean authenticated) {

    public static final String ANONYMOUS_SUBJECT = "anonymous";

    /** The caller when authentication is off. */
    public static final CallerIdentity ANONYMOUS = new CallerIdentity(ANONYMOUS_SUBJECT, Set.of(), false);

    public CallerIdentity {
        groups = groups == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(groups));
    }

    public static CallerIdentity authenticated(String subject, Set<String> groups) {
        return new CallerIdentity(subject, groups, true);
    }

    public boolean inGroup(String group) {
        return groups.contains(group);
    }
}
