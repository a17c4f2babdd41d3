package com.guestops.gateway.fuzz;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A tiny, seeded generator combinator set for the fuzz tests: each {@code Gen} draws one value from
 * a {@link Random}, so a failing run is reproduced exactly from its seed.
 */
@FunctionalInterface
interface Gen<T> {

    T next(Random random);

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
        return r -> f.apply(next(r));
    }

    static <T> Gen<T> constant(T value) {
        return r -> value;
    }

    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        List<T> list = java.util.Arrays.asList(values);
        return r -> list.get(r.nextInt(list.size()));
    }

    static Gen<Integer> ints(int min, int max) {
        return r -> min + r.nextInt(max - min + 1);
    }

    static Gen<Long> longs() {
        // edge values more often than a uniform draw would give them
        Gen<Long> edges = of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE, 1L << 32);
        return r -> r.nextInt(4) == 0 ? edges.next(r) : r.nextLong();
    }

    static Gen<Long> longs(long min, long max) {
        return r -> min + (long) (r.nextDouble() * (max - min + 1));
    }

    /** Strings of characters drawn from {@code alphabet}. */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        return r -> {
            int n = minLength + r.nextInt(maxLength - minLength + 1);
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return s.toString();
        };
    }

    /** Printable ASCII without control characters (usable in a header value). */
    static Gen<String> ascii(int maxLength) {
        return r -> {
            int n = r.nextInt(maxLength + 1);
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append((char) (0x20 + r.nextInt(0x7f - 0x20)));
            }
            return s.toString();
        };
    }

    /** Any UTF-16 code units, including controls, surrogates (paired or not), RTL marks and BOMs. */
    static Gen<String> unicode(int maxLength) {
        return r -> {
            int n = r.nextInt(maxLength + 1);
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append(switch (r.nextInt(4)) {
                    case 0 -> (char) r.nextInt(0x80);
                    case 1 -> (char) (0x80 + r.nextInt(0x800 - 0x80));
                    case 2 -> (char) r.nextInt(0x10000);
                    default -> "\u0000\u202e\ufeff\ud83d\ude00\ud800\"\\".charAt(r.nextInt(8));
                });
            }
            return s.toString();
        };
    }

    static Gen<byte[]> bytes(int maxLength) {
        return r -> {
            byte[] b = new byte[r.nextInt(maxLength + 1)];
            r.nextBytes(b);
            return b;
        };
    }

    /** One weighted alternative of {@link #frequency}. */
    record Weighted<T>(int weight, Gen<? extends T> gen) {
    }

    static <T> Weighted<T> w(int weight, Gen<? extends T> gen) {
        return new Weighted<>(weight, gen);
    }

    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<T>... alternatives) {
        int total = java.util.Arrays.stream(alternatives).mapToInt(Weighted::weight).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Weighted<T> a : alternatives) {
                pick -= a.weight();
                if (pick < 0) {
                    return a.gen().next(r);
                }
            }
            throw new IllegalStateException();
        };
    }
}
