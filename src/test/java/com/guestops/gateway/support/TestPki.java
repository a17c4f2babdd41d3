package com.guestops.gateway.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away certificate authority made at test time (BouncyCastle, on the test classpath through
 * smallrye-certificate-generator): server certificates for the gateway's HTTPS port and client certificates for
 * mutual TLS, written as the PEM files a {@code kubernetes.io/tls} Secret holds ({@code tls.crt}, {@code tls.key}
 * in PKCS#8, {@code ca.crt}). Nothing of it is committed.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {

        /**
         * Writes tls.crt and tls.key (PKCS#8) into {@code dir} the way the kubelet updates a mounted Secret: the files are
         * links into {@code ..data}, itself a link to a directory of this version, swapped in one atomic rename, so a
         * reader sees the old pair or the new one, never a new key with an old certificate.
         */
        public void writeTo(Path dir) {
            try {
                Files.createDirectories(dir);
                Path version = Files.createTempDirectory(dir, "..version-");
                Files.writeString(version.resolve("tls.crt"), pem("CERTIFICATE", certificate.getEncoded()));
                Files.writeString(version.resolve("tls.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
                Path next = dir.resolve("..data_tmp");
                Files.deleteIfExists(next);
                Files.createSymbolicLink(next, version.getFileName());
                Files.move(next, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                for (String file : new String[] {"tls.crt", "tls.key"}) {
                    if (!Files.exists(dir.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(dir.resolve(file), Path.of("..data", file));
                    }
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final String name;
    private final Issued ca;

    private TestPki(String name, Issued ca) {
        this.name = name;
        this.ca = ca;
    }

    /** A new CA, e.g. {@code TestPki.ca("callers")}. */
    public static TestPki ca(String name) {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=guestops test CA " + name + ",O=guestops tests");
        try {
            X509v3CertificateBuilder builder = builder(subject, subject, keys, Duration.ofDays(2))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestPki(name, new Issued(sign(builder, keys), keys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    /** Writes the CA certificate as {@code ca.crt} into {@code dir} and answers its path. */
    public Path writeCaTo(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.certificate().getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    public Issued server(String commonName) {
        return issue("CN=" + commonName, KeyPurposeId.id_kp_serverAuth, true);
    }

    /** A client certificate whose subject is {@code CN=<commonName>,O=guestops tests}. */
    public Issued client(String commonName) {
        return issue("CN=" + commonName + ",O=guestops tests", KeyPurposeId.id_kp_clientAuth, false);
    }

    /** A client's TLS context: trusts the certificates {@code trusted} issues, presents {@code client} (nothing when null). */
    public static SSLContext context(TestPki trusted, Issued client) {
        return context(trusted, client, false);
    }

    /**
     * @param always present {@code client} even when the server's certificate request names other CAs (the JDK's own
     *               key manager then presents nothing; curl and most clients present what they are given)
     */
    public static SSLContext context(TestPki trusted, Issued client, boolean always) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca-" + trusted.name, trusted.ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (client != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", client.keys().getPrivate(), new char[0], new X509Certificate[] {client.certificate()});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = kmf == null ? null : kmf.getKeyManagers();
            if (always && keyManagers != null) {
                keyManagers = new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) keyManagers[0])};
            }
            context.init(keyManagers, tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Offers its one client certificate whatever CAs the server asks for. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private Issued issue(String subject, KeyPurposeId purpose, boolean server) {
        KeyPair keys = keyPair();
        try {
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                    new X500Name(subject), keys, Duration.ofDays(1))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (server) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            return new Issued(sign(builder, ca.keys()), keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        }
        return out.toString();
    }
}
