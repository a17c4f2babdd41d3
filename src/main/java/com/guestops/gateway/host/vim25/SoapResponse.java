package com.guestops.gateway.host.vim25;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * A parsed vim25 SOAP response: either a payload (the element under {@code <soapenv:Body>}, e.g.
 * {@code <LoginResponse>}) or a {@link Fault}.
 *
 * <p>Parsing is hardened against hostile input: a document with a DOCTYPE is refused outright, so no
 * DTD, external entity (XXE) or entity expansion ("billion laughs") is ever processed. Bodies are
 * small and already in memory, so parsing them on the event loop is cheap.
 */
final class SoapResponse {

    static final String SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private static final DocumentBuilderFactory FACTORY = secureFactory();
    /** DocumentBuilder is not thread-safe; one per (event-loop) thread, reset between documents. */
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(SoapResponse::newBuilder);

    /** A SOAP fault; {@code type} is the {@code xsi:type} of the element under {@code <detail>}. */
    record Fault(String type, String faultString, Element detail) {
        /** Text of a direct child of the detail element ({@code <pid>4242</pid>}). */
        Optional<String> detailText(String localName) {
            return detail == null ? Optional.empty() : child(detail, localName).map(SoapResponse::text);
        }
    }

    private final Element payload;
    private final Fault fault;

    private SoapResponse(Element payload, Fault fault) {
        this.payload = payload;
        this.fault = fault;
    }

    Element payload() {
        return payload;
    }

    Fault fault() {
        return fault;
    }

    boolean isFault() {
        return fault != null;
    }

    /** XML content types a vim25 endpoint answers with ({@code text/xml; charset=utf-8} in practice). */
    static boolean isXmlContentType(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mime.equals("text/xml") || mime.equals("application/soap+xml") || mime.equals("application/xml");
    }

    /**
     * @throws NotSoapException when the bytes are not a well-formed SOAP 1.1 envelope with a body
     *                          (the exception says what was wrong, never what the bytes were)
     */
    static SoapResponse parse(byte[] body) {
        Document document;
        DocumentBuilder builder = BUILDER.get();
        try {
            builder.reset();
            builder.setErrorHandler(SILENT);
            document = builder.parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            throw new NotSoapException("not well-formed XML");
        }
        Element envelope = document.getDocumentElement();
        if (!is(envelope, SOAP_ENV, "Envelope")) {
            throw new NotSoapException("not a SOAP envelope");
        }
        Element soapBody = child(envelope, "Body").filter(b -> SOAP_ENV.equals(b.getNamespaceURI()))
                .orElseThrow(() -> new NotSoapException("SOAP envelope without a body"));
        Element first = firstElement(soapBody).orElseThrow(() -> new NotSoapException("empty SOAP body"));
        if (!is(first, SOAP_ENV, "Fault")) {
            return new SoapResponse(first, null);
        }
        String faultString = child(first, "faultstring").map(SoapResponse::text).orElse("");
        Element detail = child(first, "detail").flatMap(SoapResponse::firstElement).orElse(null);
        String type = detail == null ? "" : faultType(detail);
        return new SoapResponse(null, new Fault(type, faultString, detail));
    }

    /** {@code xsi:type="GuestProcessNotFound"} (prefix dropped), else the element name without "Fault". */
    private static String faultType(Element detail) {
        String xsiType = detail.getAttributeNS(XSI, "type");
        if (xsiType != null && !xsiType.isBlank()) {
            return xsiType.substring(xsiType.indexOf(':') + 1).trim();
        }
        String name = detail.getLocalName();
        return name.endsWith("Fault") ? name.substring(0, name.length() - "Fault".length()) : name;
    }

    /** The payload, checked to be the response element a method call expects ({@code LoginResponse}). */
    Element expect(String localName) {
        if (payload == null || !localName.equals(payload.getLocalName())) {
            throw new NotSoapException("expected " + localName);
        }
        return payload;
    }

    // ---- small DOM helpers: vim25 payload elements are matched by local name ----------------------

    static Optional<Element> child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    static java.util.List<Element> children(Element parent, String localName) {
        java.util.List<Element> found = new java.util.ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                found.add(e);
            }
        }
        return found;
    }

    static Optional<Element> firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    static String text(Element e) {
        return e.getTextContent().trim();
    }

    /** A moref element: {@code <sessionManager type="SessionManager">SessionManager</sessionManager>}. */
    static Optional<Moref> moref(Element parent, String localName) {
        return child(parent, localName).map(e -> new Moref(e.getAttribute("type"), text(e)))
                .filter(m -> !m.type().isEmpty() && !m.value().isEmpty());
    }

    private static boolean is(Element e, String namespace, String localName) {
        return e != null && namespace.equals(e.getNamespaceURI()) && localName.equals(e.getLocalName());
    }

    private static DocumentBuilderFactory secureFactory() {
        // the JDK's own parser, whatever else is on the class path, so the hardening below is known to apply
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        try {
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setValidating(false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("The JDK XML parser cannot be hardened", e);
        }
        return factory;
    }

    private static DocumentBuilder newBuilder() {
        try {
            synchronized (FACTORY) { // DocumentBuilderFactory is not guaranteed thread-safe
                return FACTORY.newDocumentBuilder();
            }
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The default handler prints "[Fatal Error] ..." to stderr, with parts of the input; stay silent. */
    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /** The host's answer is not a usable SOAP response; the message is fixed text, never response content. */
    static final class NotSoapException extends RuntimeException {
        NotSoapException(String reason) {
            super(reason, null, false, false);
        }
    }
}
