# The order pipeline's first step (docs/flows.md): checks an order and prices it.
# An order without items raises ValueError: the flow's Catch matches it by that name.


def handler(event, context):
    order = event["data"]
    items = order.get("items") or []
    if not items:
        raise ValueError("order %s has no items" % order.get("id"))
    total = sum(item["qty"] * item["price"] for item in items)
    return {"total": total, "items": len(items)}
