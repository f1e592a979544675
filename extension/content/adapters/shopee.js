/* Shopee Seller Centre chat (seller.shopee.com.br); the reply box is a contenteditable. */
Responde.registry.register({
  id: "shopee",
  name: "Shopee",
  hosts: ["seller.shopee.com.br"],
  conversation: ".chat-window",
  message: ".chat-message",
  buyerMessage: ".chat-message--received",
  messageTime: "time[datetime]",
  messageText: ".chat-message__content",
  buyerName: ".chat-header__username",
  orderId: ".order-card__sn",
  product: ".order-card__product-name",
  replyBox: ".chat-editor [contenteditable='true']",
});
