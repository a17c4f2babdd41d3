package com.guestops.gateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The RFC 6902 operations kustomize applies from an overlay's {@code patches} ({@code add}, {@code replace},
 * {@code remove}), so that a test can apply an overlay without a kustomize binary. Anything else fails the test.
 */
final class JsonPatches {

    private JsonPatches() {
    }

    static void apply(ObjectNode document, JsonNode operations) {
        for (JsonNode op : operations) {
            String path = op.path("path").asText();
            int slash = path.lastIndexOf('/');
            JsonNode parent = document.at(path.substring(0, slash));
            String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
            switch (op.path("op").asText()) {
                case "add" -> {
                    if (parent instanceof ArrayNode array) {
                        if (last.equals("-")) {
                            array.add(op.get("value"));
                        } else {
                            array.insert(Integer.parseInt(last), op.get("value"));
                        }
                    } else {
                        ((ObjectNode) parent).set(last, op.get("value"));
                    }
                }
                case "replace" -> {
                    if (parent instanceof ArrayNode array) {
                        array.set(Integer.parseInt(last), op.get("value"));
                    } else if (parent.has(last)) {
                        ((ObjectNode) parent).set(last, op.get("value"));
                    } else {
                        throw new AssertionError("replace of a missing " + path);
                    }
                }
                case "remove" -> {
                    if (parent instanceof ArrayNode array) {
                        array.remove(Integer.parseInt(last));
                    } else if (((ObjectNode) parent).remove(last) == null) {
                        throw new AssertionError("remove of a missing " + path);
                    }
                }
                default -> throw new AssertionError("unsupported patch operation " + op);
            }
        }
    }
}
