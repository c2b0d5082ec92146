// Short names for the generated API types. Never hand-write request or response shapes.
import type { components, operations } from './schema'

type Schemas = components['schemas']

export type Contact = Schemas['Contact']
export type ContactPage = Schemas['ContactPage']
export type CreateContact = Schemas['CreateContact']
export type UpdateContact = Schemas['UpdateContact']
export type Lifecycle = Schemas['Lifecycle']
export type ContactSource = Schemas['ContactSource']
export type RelationshipType = Schemas['RelationshipType']
export type TagCount = Schemas['TagCount']
export type Problem = Schemas['Problem']
export type ListContactsQuery = NonNullable<operations['list_contacts']['parameters']['query']>
export type Company = Schemas['Company']
export type CompanyPage = Schemas['CompanyPage']
export type CreateCompany = Schemas['CreateCompany']
export type UpdateCompany = Schemas['UpdateCompany']
export type ListCompaniesQuery = NonNullable<operations['list_companies']['parameters']['query']>
