"""The workbench's terminal and workspaces: the domain, the sandbox runner, storage and clean-up."""
