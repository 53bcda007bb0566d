package dev.espalier.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StackOptionsTest {

    @Test
    void noArguments_meanTheDefaultHubModel_homeUnderUserHome_uiOn8080() {
        StackOptions o = StackOptions.parse(new String[0]);

        assertEquals("HuggingFaceTB/SmolLM2-135M-Instruct", o.modelOrDefault());
        assertFalse(o.demo());
        assertEquals(Path.of(System.getProperty("user.home"), ".espalier"), o.home());
        assertEquals(8080, o.uiPort());
        assertEquals(8081, o.sessionPort());
        assertEquals(8082, o.enginePort());
        assertFalse(o.lowMemory());
    }

    @Test
    void lowMemory_isSetByItsFlag() {
        assertTrue(StackOptions.parse(new String[] {"--demo", "--low-memory"}).lowMemory());
    }

    @Test
    void port_movesTheUiAndTheTwoServices() {
        StackOptions o = StackOptions.parse(new String[] {"--demo", "--port", "9000", "--home", "/tmp/h"});

        assertTrue(o.demo());
        assertEquals(Path.of("/tmp/h"), o.home());
        assertEquals(9002, o.enginePort());
    }

    @Test
    void demoWithModel_isRefused_namingBoth() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> StackOptions.parse(new String[] {"--demo", "--model", "/m"}));

        assertEquals("--demo and --model exclude each other", e.getMessage());
    }

    @Test
    void modelWithoutValue_andUnknownArgument_andBadPort_areRefusedByName() {
        assertEquals("--model needs a value", assertThrows(IllegalArgumentException.class,
                () -> StackOptions.parse(new String[] {"--model"})).getMessage());
        assertEquals("unknown argument '--gpu'", assertThrows(IllegalArgumentException.class,
                () -> StackOptions.parse(new String[] {"--gpu"})).getMessage());
        assertEquals("--port 'x': not a number", assertThrows(IllegalArgumentException.class,
                () -> StackOptions.parse(new String[] {"--port", "x"})).getMessage());
    }
}
