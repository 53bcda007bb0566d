package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.espalier.session.models.ModelPreviewerTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class ModelPreviewApiTest {

    @Test
    void preview_ofALocalModel_reportsItsConfigAndCountedSize(@TempDir Path dir) throws Exception {
        Path model = ModelPreviewerTest.tinyModel(Files.createDirectory(dir.resolve("m")));
        given().queryParam("model", model.toString()).get("/models/preview").then().statusCode(200)
                .body("architecture", equalTo("Qwen3ForCausalLM")).body("parameters", equalTo(64 * 32 + 32))
                .body("parametersCounted", equalTo(true)).body("contextLength", equalTo(128))
                .body("hiddenSize", equalTo(32)).body("layers", equalTo(2)).body("vocab", equalTo(64))
                .body("chatTemplate", equalTo(true)).body("source", equalTo("local"));
    }

    @Test
    void preview_ofAMissingDirectory_is404NamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("no-model-here");
        given().queryParam("model", missing.toString()).get("/models/preview").then().statusCode(404)
                .body("argument", equalTo("model")).body("error", containsString(missing.toString()));
        given().get("/models/preview").then().statusCode(400).body("argument", equalTo("model"));
    }
}
