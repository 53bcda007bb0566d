package dev.espalier.stack;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class LocalStackTest {

    @Test
    void portInUse_isRefusedBeforeAnythingStarts_namingThePortAndTheWayOut() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var e = assertThrows(LocalStack.PortInUse.class, () -> LocalStack.requireFree(taken.getLocalPort()));

            assertTrue(e.getMessage().startsWith("port " + taken.getLocalPort() + " is in use"), e.getMessage());
            assertTrue(e.getMessage().contains("./espalier up --port N"), e.getMessage());
        }
    }
}
