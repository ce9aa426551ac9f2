// The order pipeline's payment step (docs/flows.md). The card network is busy at the first
// attempt (the flow passes `$$.State.RetryCount` as `attempt`; its Retry matches
// CardNetworkBusy); a card marked "declined" fails with PaymentDeclined, which the flow catches.
class CardNetworkBusy extends Error {}
CardNetworkBusy.prototype.name = 'CardNetworkBusy';
class PaymentDeclined extends Error {}
PaymentDeclined.prototype.name = 'PaymentDeclined';

module.exports = {
  handler: (event) => {
    const { order, amount, card, attempt } = event.data;
    if (attempt === 0) throw new CardNetworkBusy(`the card network is busy (order ${order})`);
    if (card === 'declined') throw new PaymentDeclined(`card declined for order ${order}`);
    return { charged: amount, attempts: attempt + 1 };
  },
};
