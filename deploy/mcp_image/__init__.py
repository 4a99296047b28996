"""Our MCP server's image: `inv mcp.build` (Cloud Build from this commit, cloudbuild.yaml) and
`inv mcp.deploy` (rolled out through Pulumi) — tasks.py over build.py."""
