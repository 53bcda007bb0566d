package dev.espalier.ui;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;

/** Short messages in the corner; their text is always plain text. */
public final class Notices {

    private Notices() {
    }

    public static void error(String message) {
        Notification n = Notification.show(message, 6000, Notification.Position.BOTTOM_END);
        n.addThemeVariants(NotificationVariant.LUMO_ERROR);
    }

    public static void info(String message) {
        Notification.show(message, 2500, Notification.Position.BOTTOM_END);
    }
}
