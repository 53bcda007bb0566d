package dev.espalier.ui;

import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;

/**
 * Page-wide settings. Push is on so rollout text streamed from session-service reaches the browser as it arrives.
 */
@Push
public class AppShell implements AppShellConfigurator {
}
