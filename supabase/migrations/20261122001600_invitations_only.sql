-- People join an organization only by accepting an invitation sent to their address
-- (private accept_invitation, security definer) or by creating it (create_organization).
-- Until now an admin could also insert any user id straight into organization_members:
-- anyone whose id the admin had seen (a co-member elsewhere) could be put into an
-- organization without being asked, and would find it in their switcher. Clients keep
-- reading, re-ranking and removing members under the existing policies.

drop policy "Admins can add members below owner; owners can add owners" on public.organization_members;
revoke insert on public.organization_members from authenticated;
