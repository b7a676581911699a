// The accounts the route tests start from.

/** A root admin, a user manager who may write, and a reader. */
export const TOKEN_USERS = `root@example.com: [admin]
manager@example.com: [user_management, write]
ann@example.com: [read]
`;

/** A root admin and a reader, in a file with comments that changes must keep. */
export const CAPABILITY_USERS = `# Who may do what
root@example.com:
  - admin # the boss
ann@example.com:
  - read
`;
