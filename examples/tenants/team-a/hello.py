def handler(event, context):
    print("team-a was called")
    return "hello from team-a"
