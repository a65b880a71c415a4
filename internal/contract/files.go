package contract

const subsetFile = "gitbook-api-subset.json"
