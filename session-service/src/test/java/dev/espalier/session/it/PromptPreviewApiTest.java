package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class PromptPreviewApiTest {

    @Test
    void preview_ofACsvFile_showsTheFirstFivePromptsInPlayOrder_theTotal_andTheDetectedColumn(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("prompts.csv");
        Files.writeString(file, "id,question\n" + IntStream.rangeClosed(1, 8).mapToObj(i -> i + ",Question " + i)
                .collect(Collectors.joining("\n")) + "\n");
        Map<String, Object> prompts = Map.of("kind", "LOCAL_FILE", "location", file.toString(), "orderSeed", 11);

        List<String> first = given().contentType(ContentType.JSON).body(prompts).post("/prompts/preview")
                .then().statusCode(200).body("total", equalTo(8)).body("textColumn", equalTo("question"))
                .body("playOrder", equalTo(true)).extract().path("first");
        assertEquals(5, first.size());
        String played = given().contentType(ContentType.JSON).body(Map.of("model", "m", "prompts", prompts))
                .post("/sessions").then().statusCode(201).extract().path("currentPrompt.text");
        assertEquals(played, first.getFirst());
    }

    @Test
    void preview_withoutAnOrderSeed_showsFileOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.txt");
        Files.writeString(file, "alpha\n\nbeta\ngamma\n");
        given().contentType(ContentType.JSON).body(Map.of("kind", "LOCAL_FILE", "location", file.toString()))
                .post("/prompts/preview").then().statusCode(200)
                .body("first", equalTo(List.of("alpha", "beta", "gamma"))).body("total", equalTo(3))
                .body("textColumn", nullValue()).body("playOrder", equalTo(false));
    }

    @Test
    void preview_ofAMissingFile_isRejected_namingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.jsonl");
        given().contentType(ContentType.JSON).body(Map.of("kind", "LOCAL_FILE", "location", missing.toString()))
                .post("/prompts/preview").then().statusCode(400).body("argument", equalTo("prompts"))
                .body("error", containsString(missing.toString()));
        given().contentType(ContentType.JSON).body(Map.of("kind", "LOCAL_FILE"))
                .post("/prompts/preview").then().statusCode(400).body("argument", equalTo("prompts.location"));
    }
}
