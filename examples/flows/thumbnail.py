# The fan-out example's worker (docs/flows.md): "renders" one thumbnail.


def handler(event, context):
    item = event["data"]
    return {"thumbnail": "thumbs/%s" % item["name"], "position": item["index"] + 1}
