// The order pipeline's payment step (docs/flows.md). The card network is busy at the first
// attempt for each order (the flow's Retry matches CardNetworkBusy); a card marked "declined"
// fails with PaymentDeclined, which the flow catches.
class CardNetworkBusy extends Error {}
CardNetworkBusy.prototype.name = 'CardNetworkBusy';
class PaymentDeclined extends Error {}
PaymentDeclined.prototype.name = 'PaymentDeclined';

const attempts = {};

module.exports = {
  handler: (event) => {
    const { order, amount, card } = event.data;
    attempts[order] = (attempts[order] || 0) + 1;
    if (attempts[order] === 1) throw new CardNetworkBusy(`the card network is busy (order ${order})`);
    if (card === 'declined') throw new PaymentDeclined(`card declined for order ${order}`);
    return { charged: amount, attempts: attempts[order] };
  },
};
