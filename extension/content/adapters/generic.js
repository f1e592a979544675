/* Any page the agent enabled from the popup, or analysed from the context menu: no host of its own and
   no marketplace markup, so it reads what chat pages commonly mark — a thread that is an ARIA log (or
   named like one), its children as messages, the buyer's by the usual incoming/received/customer names.
   The reply box is found by heuristics or the agent's one-time pick (content/replybox.js). */
Responde.registry.register({
  id: "generic",
  name: "Any page (enabled site or context menu)",
  hosts: [],
  conversation: ["[role=log]", "[data-thread]", "[class*=message-list]", "[class*=messages]", "[class*=timeline]"],
  message: ":scope > *",
  buyerMessage: [
    "[class*=incoming]", "[class*=inbound]", "[class*=received]", "[class*=buyer]", "[class*=customer]",
    "[class*=cliente]", "[class*=comprador]", "[class$=-in]", "[class*='-in ']", "[data-direction=in]",
    "[data-author=buyer]", "[data-author=customer]",
  ].join(", "),
  messageTime: "time[datetime]",
});
