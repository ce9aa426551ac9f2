def handler(event, context):
    print("team-b was called")
    return "hello from team-b"
