package dev.espalier.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * An OpenID Connect token issuer for the tests, over real HTTP: discovery ({@code /.well-known/openid-configuration}),
 * its signing key ({@code /jwks}, RSA 2048), a sign-in page ({@code /auth}: the authorization code flow; the name
 * typed is the subject, no password) and a token endpoint that signs RS256 access and ID tokens ({@code /token},
 * grants {@code authorization_code}, and {@code password} with any password). What verifies the tokens is
 * the service's real Quarkus OIDC, which fetches discovery and keys from here; nothing of the security layer is
 * replaced. Quarkus loads a test class twice (JUnit's class loader and its own): the key is made from a fixed seed and
 * the server is started once per JVM ({@link #shared}), so both copies sign with the key the service was given.
 */
public final class EmbeddedTokenIssuer implements AutoCloseable {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final String KEY_ID = "test-key-1";

    private static final String URL_PROPERTY = "espalier.test.token-issuer";

    private final HttpServer server;
    private final KeyPair keys;
    /** The issuer URL, what a service is configured with ({@code quarkus.oidc.auth-server-url}). */
    public final String url;

    /** The JVM's issuer: the first call starts it; later ones, from any class loader, sign with the same key. */
    public static synchronized EmbeddedTokenIssuer shared() {
        try {
            return new EmbeddedTokenIssuer(System.getProperty(URL_PROPERTY) == null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private EmbeddedTokenIssuer(boolean serve) throws IOException, GeneralSecurityException {
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
        server.createContext("/realms/espalier/auth", this::signInPage);
        server.createContext("/realms/espalier/token", e -> {
            Map<String, String> form = form(new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            SignIn signIn = "authorization_code".equals(form.get("grant_type")) ? codes.remove(form.get("code"))
                    : new SignIn(form.getOrDefault("username", "anonymous"), form.getOrDefault("client_id",
                    "espalier"), null);
            if (signIn == null) {
                send(e, 400, "application/json", "{\"error\":\"invalid_grant\"}");
                return;
            }
            Instant expires = Instant.now().plusSeconds(300);
            json(e, "{\"access_token\":\"" + token(signIn.subject(), expires) + "\",\"id_token\":\""
                    + sign(signIn.subject(), expires, signIn.clientId(), signIn.nonce()) + "\",\"token_type\":"
                    + "\"Bearer\",\"expires_in\":300}");
        });
        server.start();
    }

    /** A signed access token for {@code subject}, valid until {@code expires}, for the audience "espalier". */
    public String token(String subject, Instant expires) {
        return sign(subject, expires, "espalier", null);
    }

    private String sign(String subject, Instant expires, String audience, String nonce) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
        String claims = "{\"iss\":\"" + url + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + audience
                + "\",\"azp\":\"" + audience + "\",\"preferred_username\":\"" + subject + "\",\"iat\":" + now
                + ",\"exp\":" + expires.getEpochSecond() + (nonce == null ? "" : ",\"nonce\":\"" + nonce + "\"") + "}";
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

    private record SignIn(String subject, String clientId, String nonce) {
    }

    private final Map<String, SignIn> codes = new ConcurrentHashMap<>();

    /**
     * GET: a form asking for a name (id {@code username}, button {@code sign-in}); POST: back to the client's redirect
     * URI with a one-time code for that name and the client's state.
     */
    private void signInPage(HttpExchange e) throws IOException {
        Map<String, String> query = form(e.getRequestURI().getRawQuery() == null ? "" : e.getRequestURI().getRawQuery());
        if (e.getRequestMethod().equals("GET")) {
            StringBuilder hidden = new StringBuilder();
            query.forEach((k, v) -> hidden.append("<input type=hidden name=\"").append(k).append("\" value=\"")
                    .append(v.replace("\"", "&quot;")).append("\">"));
            send(e, 200, "text/html", "<html><body><form method=post>" + hidden
                    + "<input id=username name=username><button id=sign-in type=submit>Sign in</button></form>"
                    + "</body></html>");
            return;
        }
        Map<String, String> posted = form(new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String code = UUID.randomUUID().toString();
        codes.put(code, new SignIn(posted.get("username"), posted.get("client_id"), posted.get("nonce")));
        String redirect = posted.get("redirect_uri") + (posted.get("redirect_uri").contains("?") ? "&" : "?")
                + "code=" + code + (posted.containsKey("state") ? "&state=" + URLEncoder.encode(posted.get("state"),
                StandardCharsets.UTF_8) : "");
        e.getResponseHeaders().add("Location", redirect);
        e.sendResponseHeaders(302, -1);
        e.close();
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
        send(exchange, 200, "application/json", body);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
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
