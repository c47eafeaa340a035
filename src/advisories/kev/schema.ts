// CISA Known Exploited Vulnerabilities catalog
// (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json).
import { z } from 'zod';

export const kevCatalog = z.looseObject({
  title: z.string().optional(),
  catalogVersion: z.string(),
  dateReleased: z.string().optional(),
  count: z.number().optional(),
  vulnerabilities: z.array(
    z.looseObject({
      cveID: z.string().regex(/^CVE-\d{4}-\d+$/, 'expected a CVE id'),
      vendorProject: z.string().optional(),
      product: z.string().optional(),
      vulnerabilityName: z.string().optional(),
      dateAdded: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'),
      dueDate: z.string().optional(),
      knownRansomwareCampaignUse: z.string().optional(),
    }),
  ),
});

export type KevCatalog = z.infer<typeof kevCatalog>;
