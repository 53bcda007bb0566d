package dev.espalier.session.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An OpenID Connect token issuer for the tests, over real HTTP: discovery ({@code /.well-known/openid-configuration}),
 * its signing key ({@code /jwks}, RSA 2048) and a token endpoint that signs RS256 access tokens for a subject
 * ({@code /token}, grant {@code password}: any password, the username is the subject). What verifies the tokens is
 * the service's real Quarkus OIDC, which fetches discovery and keys from here; nothing of the security layer is
 * replaced. Quarkus loads a test class twice (JUnit's class loader and its own): the key is made from a fixed seed and
 * the server is started once per JVM ({@link #shared}), so both copies sign with the key the service was given.
 */
final class TokenIssuer implements AutoCloseable {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final String KEY_ID = "test-key-1";

    private static final String URL_PROPERTY = "espalier.test.token-issuer";

    private final HttpServer server;
    private final KeyPair keys;
    final String url;

    /** The JVM's issuer: the first call starts it; later ones, from any class loader, sign with the same key. */
    static synchronized TokenIssuer shared() {
        try {
            return new TokenIssuer(System.getProperty(URL_PROPERTY) == null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private TokenIssuer(boolean serve) throws IOException, GeneralSecurityException {
        SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
        seeded.setSeed("espalier test issuer".getBytes(StandardCharsets.UTF_8));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, seeded);
        keys = generator.generateKeyPair();
        if (!serve) {
            server = null;
            url = System.getProperty(URL_PROPERTY);
            return;
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/espalier";
        System.setProperty(URL_PROPERTY, url);
        server.createContext("/realms/espalier/.well-known/openid-configuration", e -> json(e, """
                {"issuer":"%1$s","jwks_uri":"%1$s/jwks","token_endpoint":"%1$s/token",
                 "authorization_endpoint":"%1$s/auth","id_token_signing_alg_values_supported":["RS256"],
                 "response_types_supported":["code"],"subject_types_supported":["public"]}""".formatted(url)));
        server.createContext("/realms/espalier/jwks", e -> json(e, jwks()));
        server.createContext("/realms/espalier/token", e -> {
            String subject = form(new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    .getOrDefault("username", "anonymous");
            json(e, "{\"access_token\":\"" + token(subject, Instant.now().plusSeconds(300)) + "\",\"token_type\":"
                    + "\"Bearer\",\"expires_in\":300}");
        });
        server.start();
    }

    /** A signed access token for {@code subject}, valid until {@code expires}, for the audience "espalier". */
    String token(String subject, Instant expires) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
        String claims = "{\"iss\":\"" + url + "\",\"sub\":\"" + subject + "\",\"aud\":\"espalier\",\"azp\":"
                + "\"espalier\",\"preferred_username\":\"" + subject + "\",\"iat\":" + now + ",\"exp\":"
                + expires.getEpochSecond() + "}";
        String signed = URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jwks() {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + KEY_ID + "\",\"n\":\""
                + unsigned(key.getModulus()) + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}]}";
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return URL.encodeToString(bytes);
    }

    private static Map<String, String> form(String body) {
        return Arrays.stream(body.split("&")).map(p -> p.split("=", 2)).filter(p -> p.length == 2)
                .collect(Collectors.toMap(p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8), (a, b) -> b));
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
