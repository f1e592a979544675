/* Any page, on demand: the context menu's selected text or focused text field (no hosts, no selectors). */
Responde.registry.register({
  id: "generic",
  name: "Any page (context menu)",
  hosts: [],
});
