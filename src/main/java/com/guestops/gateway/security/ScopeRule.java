package com.guestops.gateway.security;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One validated scoping rule ({@code gateway.auth.rules[index]}): which callers it applies to and which
 * VMs and hosts they may act on. Empty {@code vms} / {@code hosts} mean "any".
 */
public record ScopeRule(int index, Set<String> subjects, Set<String> groups, List<String> vmPatterns,
        Set<String> hosts) {

    /** What a VM pattern may contain: VM id characters plus the wildcards {@code *} and {@code ?}. */
    static final Pattern VM_PATTERN = Pattern.compile("[A-Za-z0-9._:*?-]{1,80}");

    public ScopeRule {
        subjects = Set.copyOf(subjects);
        groups = Set.copyOf(groups);
        vmPatterns = List.copyOf(vmPatterns);
        hosts = Set.copyOf(hosts);
    }

    /** A rule with neither subjects nor groups applies to every caller. */
    public boolean appliesTo(CallerIdentity caller) {
        if (subjects.isEmpty() && groups.isEmpty()) {
            return true;
        }
        return subjects.contains(caller.subject()) || caller.groups().stream().anyMatch(groups::contains);
    }

    public boolean allowsVm(String vm) {
        return vmPatterns.isEmpty() || vmPatterns.stream().anyMatch(p -> globMatches(p, vm));
    }

    public boolean allowsHost(String host) {
        return hosts.isEmpty() || hosts.contains(host);
    }

    public String name() {
        return "gateway.auth.rules[" + index + "]";
    }

    /** {@code *} matches any run of characters (also none), {@code ?} exactly one; everything else itself. */
    static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int starP = -1;
        int starT = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = p++;
                starT = t;
            } else if (starP >= 0) {
                p = starP + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
