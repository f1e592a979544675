/* Mercado Libre / Mercado Livre: post-sale messages and pre-sale questions in the seller's account. */
Responde.registry.register({
  id: "mercadolibre",
  name: "Mercado Libre",
  hosts: ["mercadolibre.com.mx", "mercadolibre.com.ar", "mercadolibre.com.co", "mercadolibre.cl", "mercadolivre.com.br"],
  conversation: "[data-testid='messages-thread'], .questions-list__item--selected",
  message: ".message-bubble, .question-detail__text",
  buyerMessage: ".message-bubble--buyer, .question-detail__text",
  messageText: ".message-bubble__text",
  messageTime: "time[datetime]",
  buyerName: "[data-testid='buyer-nickname'], .questions-list__item--selected .question-buyer",
  orderId: "[data-testid='pack-id']",
  product: "[data-testid='item-title'], .questions-list__item--selected .item-title",
  replyBox: "textarea[data-testid='message-input'], .questions-list__item--selected textarea.answer-input",
});
