package com.guestops.gateway.host.vim25;

import com.guestops.gateway.host.GuestCredentials;

/**
 * The vim25 SOAP requests the gateway sends, shaped like the captures in
 * {@code fixtures/vim25/}. Every value that goes into a document (user names, passwords, tokens,
 * morefs that came from the host, VM ids) passes through {@link #escape}, so no input can change the
 * document's structure.
 */
final class SoapRequests {

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:vim25\""
            + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n <soapenv:Body>\n  ";
    private static final String TAIL = "\n </soapenv:Body>\n</soapenv:Envelope>\n";

    private SoapRequests() {
    }

    static String retrieveServiceContent() {
        return HEAD + "<urn:RetrieveServiceContent>" + moref("_this", new Moref("ServiceInstance", "ServiceInstance"))
                + "</urn:RetrieveServiceContent>" + TAIL;
    }

    static String login(Moref sessionManager, String userName, String password) {
        return HEAD + "<urn:Login>" + moref("_this", sessionManager)
                + element("userName", userName) + element("password", password)
                + "</urn:Login>" + TAIL;
    }

    /** {@code SessionManager.Logout}: ends the session of the cookie it is sent with. */
    static String logout(Moref sessionManager) {
        return HEAD + "<urn:Logout>" + moref("_this", sessionManager) + "</urn:Logout>" + TAIL;
    }

    /** Reads {@code GuestOperationsManager.processManager}: the moref of the {@code GuestProcessManager}. */
    static String retrieveProcessManager(Moref propertyCollector, Moref guestOperationsManager) {
        return HEAD + "<urn:RetrievePropertiesEx>" + moref("_this", propertyCollector)
                + "<urn:specSet><urn:propSet>" + element("type", guestOperationsManager.type())
                + "<urn:pathSet>processManager</urn:pathSet></urn:propSet>"
                + "<urn:objectSet>" + moref("obj", guestOperationsManager) + "</urn:objectSet></urn:specSet>"
                + "<urn:options/></urn:RetrievePropertiesEx>" + TAIL;
    }

    /**
     * Reads {@code VirtualMachine.runtime.host} of one VM: answered for a VM this host (ESXi) or
     * vCenter knows, a {@code ManagedObjectNotFound} fault for any other (discovery).
     */
    static String retrieveVmRuntimeHost(Moref propertyCollector, String vm) {
        return HEAD + "<urn:RetrievePropertiesEx>" + moref("_this", propertyCollector)
                + "<urn:specSet><urn:propSet><urn:type>VirtualMachine</urn:type>"
                + "<urn:pathSet>runtime.host</urn:pathSet></urn:propSet>"
                + "<urn:objectSet>" + moref("obj", new Moref("VirtualMachine", vm)) + "</urn:objectSet></urn:specSet>"
                + "<urn:options/></urn:RetrievePropertiesEx>" + TAIL;
    }

    /**
     * The {@code auth} argument of TerminateProcessInGuest: {@code NamePasswordAuthentication} or
     * {@code SAMLTokenAuthentication}, fields in WSDL order. Built before any host call, so input
     * that XML cannot carry is refused without touching the host.
     *
     * @throws UnencodableValueException naming the request field (never its value)
     */
    static String auth(GuestCredentials credentials) {
        StringBuilder auth = new StringBuilder();
        if (credentials instanceof GuestCredentials.UsernamePassword up) {
            auth.append("<urn:auth xsi:type=\"urn:NamePasswordAuthentication\">")
                    .append(element("interactiveSession", Boolean.toString(up.interactiveSession())))
                    .append(field("username", "credentials.user_name", up.user() == null ? "" : up.user()))
                    .append(field("password", "credentials.password", up.password().reveal()));
        } else {
            GuestCredentials.SamlBearerToken saml = (GuestCredentials.SamlBearerToken) credentials;
            auth.append("<urn:auth xsi:type=\"urn:SAMLTokenAuthentication\">")
                    .append(element("interactiveSession", "false"))
                    .append(field("token", "credentials.saml_token", saml.token().reveal()));
            if (saml.user() != null) {
                // optional: without it, the guest's alias store maps the token's subject to a user
                auth.append(field("username", "credentials.user_name", saml.user()));
            }
        }
        return auth.append("</urn:auth>").toString();
    }

    /** {@code TerminateProcessInGuest(_this, vm, auth, pid)}, {@code auth} from {@link #auth}. */
    static String terminateProcessInGuest(Moref processManager, String vm, String auth, long pid) {
        return HEAD + "<urn:TerminateProcessInGuest>" + moref("_this", processManager)
                + moref("vm", new Moref("VirtualMachine", vm)) + auth
                + element("pid", Long.toString(pid)) + "</urn:TerminateProcessInGuest>" + TAIL;
    }

    /**
     * {@code ListProcessesInGuest(_this, vm, auth, pids)} for one pid: the host answers a {@code returnval}
     * ({@code GuestProcessInfo}) for it, or none when the guest has no such process.
     */
    static String listProcessesInGuest(Moref processManager, String vm, String auth, long pid) {
        return HEAD + "<urn:ListProcessesInGuest>" + moref("_this", processManager)
                + moref("vm", new Moref("VirtualMachine", vm)) + auth
                + element("pids", Long.toString(pid)) + "</urn:ListProcessesInGuest>" + TAIL;
    }

    private static String field(String name, String requestField, String value) {
        try {
            return element(name, value);
        } catch (UnencodableValueException e) {
            throw new UnencodableValueException(requestField);
        }
    }

    private static String element(String name, String value) {
        return "<urn:" + name + ">" + escape(value) + "</urn:" + name + ">";
    }

    private static String moref(String name, Moref moref) {
        return "<urn:" + name + " type=\"" + escape(moref.type()) + "\">" + escape(moref.value()) + "</urn:" + name + ">";
    }

    /**
     * Escapes text for element content and attribute values. Tab, new line and carriage return become
     * character references so they survive attribute and line-end normalisation unchanged.
     *
     * @throws UnencodableValueException for characters XML 1.0 cannot carry at all (other control
     *                                   characters, lone surrogates, U+FFFE, U+FFFF)
     */
    static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                case '\t' -> "&#9;";
                case '\n' -> "&#10;";
                case '\r' -> "&#13;";
                default -> null;
            };
            if (replacement == null && !allowed(value, i)) {
                throw new UnencodableValueException(null);
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    private static boolean allowed(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
            return false;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return true;
    }

    /** A value holds a character that no XML 1.0 document can carry. Names the field, never the value. */
    static final class UnencodableValueException extends IllegalArgumentException {
        private final String field;

        UnencodableValueException(String field) {
            super((field == null ? "a value" : field) + " contains a character that XML 1.0 cannot represent");
            this.field = field;
        }

        String field() {
            return field;
        }
    }
}
