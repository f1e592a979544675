/* Amazon Seller Central buyer-seller messaging (.com.mx, .com.br, .com). */
Responde.registry.register({
  id: "amazon",
  name: "Amazon Seller Central",
  hosts: ["sellercentral.amazon.com.mx", "sellercentral.amazon.com.br", "sellercentral.amazon.com"],
  conversation: "#bsm-thread-view",
  message: ".bsm-message",
  buyerMessage: ".bsm-message--incoming",
  messageTime: "time[datetime]",
  messageText: ".bsm-message__body",
  buyerName: "#bsm-buyer-name",
  orderId: "#bsm-order-id",
  product: "#bsm-product-title",
  replyBox: "textarea#bsm-reply-text",
});
